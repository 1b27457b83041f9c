/**
 * The read-only image editor ("Open With... Multimodal Lens", viewType multimodalLens.imageEditor) for PNG,
 * JPEG, WebP and GIF: the image with a switchable overlay (attention rollout, or the alignment with a prompt),
 * an opacity slider and a prompt box, on the same protocol as the explorer. It opens on the label the model ranks
 * highest on the image, with that prompt's map and score; with a generative model chosen, on the image and a pointer
 * to Ask About Image... (also in the editor's title bar). Each editor keeps its data on the host, so a hidden
 * editor's page is rebuilt from the ready handshake.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { applyTemplate, modelInfo, pairMaps } from '../shared/explorerData';
import { Msg, respond, type EditorData, type FromWebview, type ToWebview } from '../shared/protocol';
import { parseFromWebview } from '../shared/protocolValidators';
import { runWithProgress } from './commands/longRun';
import { Disposable } from './disposable';
import type { InferenceHost } from './inferenceHost';
import { readSettings } from './settings';
import { promptTemplates, rankedPrompts } from './promptTemplates';
import { answerExport, errorText, imageEntry } from './webviewHost';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** The custom editor's view type, as contributed in package.json. */
export const IMAGE_EDITOR_VIEW_TYPE = 'multimodalLens.imageEditor';
const EDITOR_MESSAGES: FromWebview['type'][] = [Msg.Ready, Msg.AnalyzePrompt, Msg.Export];

/** Provides the image editor; the document is the file itself (read-only, nothing to save). */
export class ImageEditorProvider extends Disposable implements vscode.CustomReadonlyEditorProvider {
  /** @param extensionUri the extension's folder (dist/ and media/ are the page's only resources) */
  constructor(private readonly extensionUri: vscode.Uri, private readonly host: InferenceHost) {
    super();
    this.register(vscode.window.registerCustomEditorProvider(IMAGE_EDITOR_VIEW_TYPE, this, { supportsMultipleEditorsPerDocument: true }));
  }

  /** The document is only the file's URI. */
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  /** Sets up one editor's page and answers its messages. */
  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const path = document.uri.fsPath;
    const settings = readSettings();
    let data: EditorData | undefined;
    const post = (message: ToWebview) => void panel.webview.postMessage(message);
    // The first prompt is the label the model ranks highest on this image, in its template.
    const firstPrompt = async () => (await rankedPrompts(this.host, path, 1))[0] ?? applyTemplate(settings.labels[0] ?? 'object', (await promptTemplates(this.host))[0]);
    // A generative model scores no prompt: the editor shows the image and points to Ask About Image...
    const generativeModel = async () => {
      const model = await this.host.get().describeModel().catch(() => undefined);
      return model?.family === 'generative' ? model.name : undefined;
    };
    const firstData = async (): Promise<EditorData> => {
      const [image, generative] = await Promise.all([imageEntry(this.host.get(), path), generativeModel()]);
      return generative ? { image, prompt: '', maps: null, model: null, generative } : { image, prompt: await firstPrompt(), maps: null, model: null };
    };
    const load = async () => (data ??= await firstData());
    const analyze = async (prompt: string) => {
      const current = await load();
      if (prompt === '') return post({ type: Msg.Error, message: 'Enter a prompt to compare with the image.' });
      current.prompt = prompt;
      post({ type: Msg.Busy, message: `Analyzing "${prompt}"...` });
      const result = await runWithProgress(this.host.log, `analyzing ${basename(path)}`, (options) => this.host.get().analyze({ images: [path], texts: [prompt] }, options));
      post({ type: Msg.Busy, message: null });
      if (!result) return;
      this.host.observe(result.model);
      const score = result.itm ? { value: result.itm[0][0], kind: 'match probability' as const } : { value: result.similarity[0][0], kind: 'cosine' as const };
      Object.assign(current, { maps: pairMaps(result, 0, 0), model: modelInfo(result), score });
      post({ type: Msg.Data, data: current });
    };
    const receive = async (raw: unknown) => {
      const message = parseFromWebview(raw, (line) => this.host.log.warn(`Image editor: ${line}`), EDITOR_MESSAGES);
      if (!message) return;
      try {
        if (message.type === Msg.Ready) {
          const first = data === undefined;
          post(respond(message.requestId, { body: await load() }));
          if (first && !data!.generative) await analyze(data!.prompt);
        } else if (message.type === Msg.AnalyzePrompt) await analyze(message.prompt);
        else if (message.type === Msg.Export) await answerExport(post, message, vscode.Uri.joinPath(document.uri, '..'));
      } catch (error) {
        if (message.type === Msg.Ready) post(respond(message.requestId, { error }));
        else post({ type: Msg.Error, message: errorText(error) });
      }
    };
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'editor', basename(path));
    const listener = panel.webview.onDidReceiveMessage((raw: unknown) => void receive(raw));
    panel.onDidDispose(() => listener.dispose());
  }
}
