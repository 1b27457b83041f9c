/**
 * The Ask About Image panel's host side (the page is webview/generationPanel.ts): it answers the page's ready
 * handshake with the image, the model and the suggested prompts, runs each question through the inference process
 * with the image (and occlusion maps when asked), posting the images' token layout, then every token as it is chosen
 * (with its map, so the page draws it at once) and the occlusion's progress,
 * then the generation report; Stop aborts the generate call, which ends within one decoding step. A new question
 * replaces the one running. Every message the page sends is validated; one that fails is answered with an Error
 * saying why. The complete answer becomes Export Report's.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isUserError } from '../core/errors';
import type { GenerationReportData } from '../shared/generationResult';
import { Msg, respond, type AnswerEvent, type AskSetup, type FromWebview, type ToWebview } from '../shared/protocol';
import { parseFromWebview } from '../shared/protocolValidators';
import { suggestedPrompts } from './askPrompts';
import type { InferenceHost } from './inferenceHost';
import { errorText, imageEntry } from './webviewHost';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** New tokens per answer; the model's end token usually comes first. */
const MAX_NEW_TOKENS = 64;
const ASK_MESSAGES: FromWebview['type'][] = [Msg.Ready, Msg.AskImage, Msg.StopAnswer];

/**
 * Opens a panel beside the editor for asking the model in use about the image at `imagePath`; with `question`
 * (the explorer's answer cell), that prompt is in the box and asked as soon as the page is ready.
 */
export function openAskPanel(host: InferenceHost, extensionUri: vscode.Uri, imagePath: string, question?: string): vscode.WebviewPanel {
  const title = `Lens ask: ${basename(imagePath)}`;
  // The page keeps a streamed answer while hidden, so it is not rebuilt from a handshake.
  const panel = vscode.window.createWebviewPanel('multimodalLens.ask', title, vscode.ViewColumn.Beside, { ...webviewOptions(extensionUri), retainContextWhenHidden: true });
  let disposed = false;
  const post = (message: ToWebview) => void (disposed || panel.webview.postMessage(message));
  const event = (run: number, answer: AnswerEvent) => post({ type: Msg.Answer, run, event: answer });
  let setup: Promise<AskSetup> | undefined;
  const prompts = () => {
    const suggested = suggestedPrompts(host.modelDir(), extensionUri.fsPath);
    return question === undefined ? suggested : [question, ...suggested.filter((p) => p !== question)];
  };
  const load = () => (setup ??= imageEntry(host.get(), imagePath).then((image) => ({ image, model: basename(host.modelDir()), prompts: prompts() })));
  let runs = 0;
  let current: AbortController | undefined;

  async function ask({ prompt, occlusion }: Extract<FromWebview, { type: typeof Msg.AskImage }>): Promise<void> {
    current?.abort();
    const controller = (current = new AbortController());
    const run = ++runs;
    event(run, { kind: 'started', prompt });
    let tokens = 0;
    try {
      const { image } = await load();
      const perturbation = occlusion ? { method: 'occlusion' as const } : undefined;
      const result = await host.get().generate({ modelDir: host.modelDir(), images: [imagePath], prompt, maxNewTokens: MAX_NEW_TOKENS, perturbation }, {
        signal: controller.signal,
        onProgress: (report) => event(run, { kind: 'progress', ...report }),
        onImages: (images) => void (controller.signal.aborted || event(run, { kind: 'images', images })),
        // Tokens the process wrote before it read the cancel (a backlog of up to ~8 on the tiny fixture) are dropped.
        onToken: (token, index) => {
          if (controller.signal.aborted) return;
          tokens = index + 1;
          event(run, { kind: 'token', index, token });
        },
      });
      host.observe(result.model);
      // Stopped as the last token was written: the tokens after the Stop were not posted, so the answer stays stopped.
      if (controller.signal.aborted) return event(run, { kind: 'stopped', tokens });
      const data: GenerationReportData = { result, images: [image.preview] };
      host.lastReport = { kind: 'generation', data };
      event(run, { kind: 'done', report: data });
    } catch (error) {
      if (controller.signal.aborted) return event(run, { kind: 'stopped', tokens });
      if (isUserError(error)) host.log.warn(errorText(error));
      else host.log.error(error instanceof Error ? error : errorText(error));
      event(run, { kind: 'failed', message: errorText(error) });
    } finally {
      if (current === controller) current = undefined;
    }
  }

  async function receive(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw, (line) => {
      host.log.warn(`Ask About Image: ${line}`);
      post({ type: Msg.Error, message: line });
    }, ASK_MESSAGES);
    if (message?.type === Msg.Ready) {
      try {
        post(respond(message.requestId, { body: await load() }));
        if (question !== undefined && runs === 0) await ask({ type: Msg.AskImage, prompt: question });
      } catch (error) {
        setup = undefined;
        post(respond(message.requestId, { error }));
      }
    } else if (message?.type === Msg.AskImage) await ask(message);
    else if (message?.type === Msg.StopAnswer) current?.abort();
  }

  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'ask', title);
  const listener = panel.webview.onDidReceiveMessage((raw: unknown) => void receive(raw));
  panel.onDidDispose(() => {
    disposed = true;
    current?.abort();
    listener.dispose();
  });
  return panel;
}
