/**
 * Hover previews of image references in Markdown, dataset manifests (JSON, JSON Lines, CSV) and string
 * literals of any language. Settings are read on every hover, so turning hovers off or changing labels applies
 * at once; VS Code's cancellation token aborts the preview when the hover goes away. The MarkdownString trusts
 * only the extension's own commands, and all text in it is escaped (src/hover/markdownText.ts).
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { isUserError, LensError } from '../core/errors';
import { documentKind, findImageReference } from '../hover/findReference';
import { HOVER_COMMANDS, noPreviewMarkdown, previewMarkdown } from '../hover/hoverMarkdown';
import { PreviewService } from '../hover/previewService';
import type { PreviewSettings } from '../hover/renderPreview';
import { resolveImagePath } from '../hover/resolveImagePath';
import { Disposable } from './disposable';
import type { InferenceHost } from './inferenceHost';
import { readSettings, type LensSettings } from './settings';

/** Every file and unsaved document, whatever its language: string literals may name images anywhere. */
const SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];

/** Shows attention and alignment previews over image references. */
export class ImageHoverProvider extends Disposable implements vscode.HoverProvider {
  private readonly previews: PreviewService;

  /** @param host the inference service, taken at each render so that a model or provider change applies */
  constructor(private readonly host: InferenceHost) {
    super();
    this.previews = new PreviewService((path, caption, settings, signal) => host.get().renderPreview(path, caption, settings, signal), readSettings().cacheBytes);
    this.register(vscode.languages.registerHoverProvider(SELECTOR, this));
  }

  /** The preview hover for the image reference at `position`, if any. */
  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const settings = readSettings();
    if (!settings.hover.enabled) return undefined;
    const kind = documentKind(document.languageId, document.fileName);
    // JSON and CSV rows may span lines; every other finder needs only the cursor's line, which is far cheaper to get from a large file.
    const wholeDocument = kind === 'json' || kind === 'csv';
    const base = wholeDocument ? 0 : document.offsetAt(position.with({ character: 0 }));
    const text = wholeDocument ? document.getText() : document.lineAt(position.line).text;
    const reference = findImageReference(text, document.offsetAt(position) - base, kind);
    if (!reference) return undefined;
    const path = await resolveImagePath(reference.path, {
      documentDir: document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined,
      workspaceDirs: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    });
    if (!path || token.isCancellationRequested) return undefined;
    const markdown = await this.markdown(path, reference.caption, settings, token);
    if (markdown === undefined) return undefined;
    const content = new vscode.MarkdownString(markdown);
    content.isTrusted = { enabledCommands: HOVER_COMMANDS };
    content.supportHtml = false;
    return new vscode.Hover(content, new vscode.Range(document.positionAt(base + reference.start), document.positionAt(base + reference.end)));
  }

  /** The hover's Markdown, or undefined when the hover went away first. */
  private async markdown(path: string, caption: string | undefined, settings: LensSettings, token: vscode.CancellationToken): Promise<string | undefined> {
    const controller = new AbortController();
    const listener = token.onCancellationRequested(() => controller.abort());
    this.previews.setCacheBytes(settings.cacheBytes);
    try {
      const outcome = await this.previews.preview({ path, caption, settings: previewSettings(settings), maxImageBytes: settings.hover.maxImageBytes }, controller.signal);
      return outcome.kind === 'preview' ? previewMarkdown(path, caption, outcome.preview) : noPreviewMarkdown(path, outcome.reason);
    } catch (error) {
      if (error instanceof LensError && error.kind === 'cancelled') return undefined;
      const message = error instanceof Error ? error.message : String(error);
      if (isUserError(error)) this.host.log.warn(`Hover preview of ${path}: ${message}`);
      else this.host.log.error(error instanceof Error ? error : message);
      return noPreviewMarkdown(path, `No preview: ${message}`);
    } finally {
      listener.dispose();
    }
  }
}

function previewSettings(s: LensSettings): PreviewSettings {
  return { model: s.model, executionProvider: s.executionProvider, labels: s.labels, promptTemplates: s.promptTemplates, rollout: s.rollout, maxImagePixels: s.maxImagePixels };
}
