/**
 * Answers the analysis panel's requests. Each message is validated (src/shared/protocolValidators.ts). An
 * occlusion request names an image and a text of the analysis the panel shows (never a path), and is computed
 * under a cancellable progress notification with the model that made the analysis; an export is saved where
 * the user chooses.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { occlusionOverlay } from '../inference/occlusionOverlay';
import type { AnalysisResult } from '../shared/analysisResult';
import { Msg, respond, type ToWebview } from '../shared/protocol';
import { parseFromWebview } from '../shared/protocolValidators';
import { answerExport } from './webviewHost';
import { runWithProgress } from './commands/longRun';
import type { InferenceHost } from './inferenceHost';

/** Serves occlusion overlays and exports to `panel`, which shows `result` made with the model in `modelDir`. */
export function answerPanelRequests(panel: vscode.WebviewPanel, result: AnalysisResult, host: InferenceHost, modelDir: string): void {
  const texts = result.texts.map((t) => t.text);
  const post = (message: ToWebview) => void panel.webview.postMessage(message);
  // Exports are offered beside the analysed image.
  const near = result.images[0] ? vscode.Uri.file(dirname(result.images[0].path)) : undefined;
  const listener = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
    const message = parseFromWebview(raw, (line) => host.log.warn(line), [Msg.ComputeOcclusion, Msg.Export]);
    if (message?.type === Msg.Export) return answerExport(post, message, near);
    if (message?.type !== Msg.ComputeOcclusion) return;
    const image = result.images[message.image];
    if (!image || message.text >= texts.length) {
      post(respond(message.requestId, { error: 'That image or text is not in this analysis.' }));
      return;
    }
    const reply = await runWithProgress(host.log, `occlusion for "${texts[message.text]}"`, (options) =>
      occlusionOverlay(host.get(), { modelDir, image: image.path, texts, text: message.text }, options));
    post(respond(message.requestId, reply ? { body: reply } : { error: 'cancelled, or failed (see the Multimodal Lens log)' }));
  });
  panel.onDidDispose(() => listener.dispose());
}
