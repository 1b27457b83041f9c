/**
 * "Show Model Anatomy": inspects the current model (graphs, attention taps, fusion family) and shows it as a
 * read-only Markdown document, served by a content provider so that closing it never asks to save.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { anatomyMarkdown } from '../../shared/anatomyMarkdown';
import type { InferenceHost } from '../inferenceHost';
import { runWithProgress, unlessCancelled } from './longRun';

/** The command id, as contributed in package.json. */
export const SHOW_ANATOMY_COMMAND = 'multimodalLens.showAnatomy';

/** The URI scheme of the read-only anatomy documents. */
const SCHEME = 'multimodal-lens-anatomy';

/** Holds the anatomy documents by URI and runs the command. */
export class AnatomyDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when a document shown again has new content. */
  readonly onDidChange = this.changed.event;

  /** @param host the inference host whose current model is inspected */
  constructor(private readonly host: InferenceHost) {}

  /** Registers the provider for the scheme. */
  register(): vscode.Disposable {
    return vscode.Disposable.from(vscode.workspace.registerTextDocumentContentProvider(SCHEME, this), this.changed);
  }

  /** The text of a document shown before ('' for an unknown one, e.g. after a reload). */
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Inspects the current model and opens its anatomy document. */
  async show(): Promise<void> {
    const dir = this.host.modelDir();
    const result = await runWithProgress(this.host.log, `inspecting ${basename(dir)}`, (options) => unlessCancelled(this.host.get().inspect(), options.signal));
    if (!result) return;
    this.host.observe(result.model);
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${basename(dir)} anatomy.md` });
    this.texts.set(uri.toString(), anatomyMarkdown(result));
    this.changed.fire(uri);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  }
}
