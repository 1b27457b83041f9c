/**
 * "Multimodal Lens: Ask About Image...": pick an image (or take the one right-clicked in the explorer) and open the
 * Ask About Image panel for it (askPanel.ts): a prompt box with the model's suggested prompts, the answer streaming
 * in, Stop, and the generation report of each complete answer, every token of it a button that shows where the
 * model looked as it wrote it. A model that does not generate says so in the panel.
 */
import type * as vscode from 'vscode';
import { openAskPanel } from './askPanel';
import { pickImage } from './commands/pickFile';
import type { InferenceHost } from './inferenceHost';

/** The command id, as contributed in package.json. */
export const ASK_ABOUT_IMAGE_COMMAND = 'multimodalLens.askAboutImage';

/** Runs the command for `uri` (from the explorer menu) or for an image the user picks. */
export async function askAboutImage(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const image = uri ?? (await pickImage('Ask About Image'));
  if (image) openAskPanel(host, extensionUri, image.fsPath);
}
