/**
 * Answers the analysis panel's occlusion requests: each message is validated (src/shared/protocolValidators.ts),
 * the image and text are looked up in the analysis the panel shows (never taken from the message as paths),
 * and the map is computed under a cancellable progress notification with the model that made the analysis.
 */
import * as vscode from 'vscode';
import { occlusionOverlay } from '../inference/occlusionOverlay';
import type { AnalysisResult } from '../shared/analysisResult';
import { Msg, respond } from '../shared/protocol';
import { parseFromWebview } from '../shared/protocolValidators';
import { runWithProgress } from './commands/longRun';
import type { InferenceHost } from './inferenceHost';

/** Serves occlusion overlays to `panel`, which shows `result` made with the model in `modelDir`. */
export function answerOcclusionRequests(panel: vscode.WebviewPanel, result: AnalysisResult, host: InferenceHost, modelDir: string): void {
  const texts = result.texts.map((t) => t.text);
  const listener = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
    const message = parseFromWebview(raw, (line) => host.log.warn(line), [Msg.ComputeOcclusion]);
    if (message?.type !== Msg.ComputeOcclusion) return;
    const image = result.images[message.image];
    if (!image || message.text >= texts.length) {
      void panel.webview.postMessage(respond(message.requestId, { error: 'That image or text is not in this analysis.' }));
      return;
    }
    const reply = await runWithProgress(host.log, `occlusion for "${texts[message.text]}"`, (options) =>
      occlusionOverlay(host.get(), { modelDir, image: image.path, texts, text: message.text }, options));
    void panel.webview.postMessage(respond(message.requestId, reply ? { body: reply } : { error: 'cancelled, or failed (see the Multimodal Lens log)' }));
  });
  panel.onDidDispose(() => listener.dispose());
}
