/**
 * Answers the analysis and probe panels' requests. Each message is validated (src/shared/protocolValidators.ts).
 * An export is saved where the user chooses. An occlusion or RISE request (analysis panels only) names an image and a
 * text of the analysis the panel shows (never a path), and is computed under a cancellable progress
 * notification with the model that made the analysis. An attention-rows request (an analysis whose page holds
 * the first token's rows only) is answered from the attention the inference process keeps for the panel, which
 * is freed when the panel closes.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisResult } from '../shared/analysisResult';
import type { MapMethod } from '../shared/mapEvaluation';
import { Msg, respond, type FromWebview, type ToWebview } from '../shared/protocol';
import { parseFromWebview } from '../shared/protocolValidators';
import { headingLine, METHODS_DOC, type MethodsSection } from '../shared/probeReadings';
import { answerExport } from './webviewHost';
import { runWithProgress } from './commands/longRun';
import type { InferenceHost } from './inferenceHost';

type OcclusionRequest = Extract<FromWebview, { type: typeof Msg.ComputeOcclusion }>;
type RowsRequest = Extract<FromWebview, { type: typeof Msg.AttentionRows }>;
type OpenCaseRequest = Extract<FromWebview, { type: typeof Msg.OpenEvaluationCase }>;

/** What a panel can ask beyond exports; a message type is accepted only when its handler is given. */
interface PanelHandlers {
  rows?: (message: RowsRequest) => Promise<void>;
  occlusion?: (message: OcclusionRequest) => Promise<void>;
  openDoc?: (section: MethodsSection) => Promise<void>;
  openCase?: (message: OpenCaseRequest) => Promise<void>;
}

/**
 * Serves occlusion overlays, attention rows (from the attention kept under `heldAttention`, when the page has the
 * first token's rows only) and exports to `panel`, which shows `result` made with the model in `modelDir`.
 */
export function answerPanelRequests(panel: vscode.WebviewPanel, result: AnalysisResult, host: InferenceHost, modelDir: string, heldAttention?: string): void {
  const texts = result.texts.map((t) => t.text);
  const post = (message: ToWebview) => void panel.webview.postMessage(message);
  // Exports are offered beside the analysed image.
  const near = result.images[0] ? vscode.Uri.file(dirname(result.images[0].path)) : undefined;
  const rows = async (message: RowsRequest) => {
    if (heldAttention === undefined) return post(respond(message.requestId, { error: 'This panel holds every row of its attention already.' }));
    const reply = await host.get().attentionRows(heldAttention, message.item, message.query).then((values) => ({ body: { rows: values } }), (error: unknown) => ({ error }));
    post(respond(message.requestId, reply));
  };
  if (heldAttention !== undefined) panel.onDidDispose(() => void host.get().releaseAttention(heldAttention).catch(() => undefined));
  const occlusion = async (message: OcclusionRequest) => {
    const image = result.images[message.image];
    if (!image || message.text >= texts.length) {
      post(respond(message.requestId, { error: 'That image or text is not in this analysis.' }));
      return;
    }
    const method = message.method ?? 'occlusion';
    const reply = await runWithProgress(host.log, `${method === 'rise' ? 'RISE' : 'occlusion'} for "${texts[message.text]}"`, (options) =>
      host.get().occlusionOverlay({ modelDir, image: image.path, texts, text: message.text, method }, options));
    post(respond(message.requestId, reply ? { body: reply } : { error: 'cancelled, or failed (see the Multimodal Lens log)' }));
  };
  listen(panel, host, near, { rows, occlusion });
}

/**
 * Serves exports to a probe `panel`, offered beside the manifest `manifestPath`, and opens the section of the
 * extension's docs/methods.md that a reading links to.
 */
export function answerProbePanelRequests(panel: vscode.WebviewPanel, host: InferenceHost, manifestPath: string, extensionUri: vscode.Uri): void {
  const openDoc = (section: MethodsSection) => openMethodsDoc(extensionUri, section).catch((error: unknown) => host.log.warn(`Could not open ${METHODS_DOC}: ${String(error)}`));
  listen(panel, host, vscode.Uri.file(dirname(manifestPath)), { openDoc });
}

/** Answers a map evaluation `panel`: each worst case it asks for goes to `open` (an index the host checks against its result). */
export function answerEvaluationPanelRequests(panel: vscode.WebviewPanel, host: InferenceHost, open: (index: number, method: MapMethod) => Promise<void>): void {
  listen(panel, host, undefined, { openCase: (message) => open(message.index, message.method) });
}

/** Opens docs/methods.md at the heading `section`. */
async function openMethodsDoc(extensionUri: vscode.Uri, section: MethodsSection): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(extensionUri, METHODS_DOC));
  const line = Math.max(0, headingLine(document.getText(), section));
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(line, 0, line, 0), viewColumn: vscode.ViewColumn.Beside, preview: true });
}

/** Answers exports, and the requests `handlers` can answer, until the panel closes. */
function listen(panel: vscode.WebviewPanel, host: InferenceHost, near: vscode.Uri | undefined, { rows, occlusion, openDoc, openCase }: PanelHandlers): void {
  const post = (message: ToWebview) => void panel.webview.postMessage(message);
  const accepted = [Msg.Export, ...(occlusion ? [Msg.ComputeOcclusion] : []), ...(rows ? [Msg.AttentionRows] : []), ...(openDoc ? [Msg.OpenMethodsDoc] : []), ...(openCase ? [Msg.OpenEvaluationCase] : [])];
  const listener = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
    const message = parseFromWebview(raw, (line) => host.log.warn(line), accepted);
    if (message?.type === Msg.Export) return answerExport(post, message, near);
    if (message?.type === Msg.ComputeOcclusion) return occlusion?.(message);
    if (message?.type === Msg.AttentionRows) return rows?.(message);
    if (message?.type === Msg.OpenMethodsDoc) return openDoc?.(message.section);
    if (message?.type === Msg.OpenEvaluationCase) return openCase?.(message);
  });
  panel.onDidDispose(() => listener.dispose());
}
