/**
 * "Multimodal Lens: Ask About Image...": pick an image (or take the one right-clicked in the explorer), ask the
 * selected generative model a question about it, and watch the answer being written in the progress notification
 * (Cancel stops it within one decoding step); then the generation report opens in a panel, every token of the
 * answer a button that shows where the model looked as it wrote it. A model that does not generate says so.
 */
import * as vscode from 'vscode';
import type { GenerationReportData } from '../shared/generationResult';
import { showGenerationPanel } from './analysisPanel';
import { runWithProgress } from './commands/longRun';
import { pickImage } from './commands/pickFile';
import type { InferenceHost } from './inferenceHost';
import { readSettings } from './settings';

/** The command id, as contributed in package.json. */
export const ASK_ABOUT_IMAGE_COMMAND = 'multimodalLens.askAboutImage';

/** The prompts the box offers; the first is its default. */
const SUGGESTED_PROMPTS = ['Describe the image.', 'What objects are in the image?', 'Where is the main object?'];
/** New tokens per answer; the model's end token usually comes first. */
const MAX_NEW_TOKENS = 64;

/** Runs the command for `uri` (from the explorer menu) or for an image the user picks. */
export async function askAboutImage(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const image = uri ?? (await pickImage('Ask About Image'));
  if (!image) return;
  const prompt = await vscode.window.showInputBox({
    title: 'Ask the model about the image',
    prompt: `For example: ${SUGGESTED_PROMPTS.slice(1).join(' / ')}`,
    value: SUGGESTED_PROMPTS[0],
    validateInput: (text) => (text.trim() === '' ? 'Write a question or an instruction.' : undefined),
  });
  if (!prompt) return;
  const { maxImagePixels } = readSettings();
  const modelDir = host.modelDir();
  const data = await runWithProgress(host.log, 'writing the answer', async (options, report) => {
    let answer = '';
    const result = await host.get().generate({ modelDir, images: [image.fsPath], prompt, maxNewTokens: MAX_NEW_TOKENS }, {
      ...options,
      onToken: (token) => {
        answer += token.text;
        report(answer.length > 120 ? `…${answer.slice(-120)}` : answer);
      },
    });
    host.observe(result.model);
    return { result, images: [await host.get().imagePreview(image.fsPath, undefined, maxImagePixels)] } satisfies GenerationReportData;
  });
  if (!data) return;
  host.lastReport = { kind: 'generation', data };
  await showGenerationPanel(extensionUri, data);
}
