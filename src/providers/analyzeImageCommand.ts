/**
 * "Multimodal Lens: Analyze Image...": pick an image (or take the one right-clicked in the explorer), enter
 * texts, run the analysis with a cancellable progress notification and show it in a panel.
 */
import * as vscode from 'vscode';
import { isUserError, LensError } from '../inference/errors';
import { imagePreviewDataUrl } from '../inference/imagePreview';
import { showAnalysisPanel } from './analysisPanel';
import type { InferenceHost } from './inferenceHost';

/** The command id, as contributed in package.json. */
export const ANALYZE_IMAGE_COMMAND = 'multimodalLens.analyzeImage';

const IMAGE_FILTERS = { Images: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif'] };

/** Runs the command for `uri` (from the explorer menu) or for an image the user picks. */
export async function analyzeImage(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const image = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: IMAGE_FILTERS, title: 'Analyze Image' }))?.[0];
  if (!image) return;
  const input = await vscode.window.showInputBox({
    title: 'Texts to compare with the image',
    prompt: 'Separate texts with |',
    value: 'a red circle | a blue square | a green triangle',
  });
  const texts = input?.split('|').map((t) => t.trim()).filter((t) => t.length > 0);
  if (!texts || texts.length === 0) return;
  try {
    const data = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Multimodal Lens: analyzing', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const result = await host.get().analyze({ images: [image.fsPath], texts, includeAttention: true }, {
          signal: controller.signal,
          onProgress: (p) => progress.report({ message: `${p.stage} ${p.done}/${p.total}` }),
        });
        return { result, images: [await imagePreviewDataUrl(image.fsPath)] };
      },
    );
    await showAnalysisPanel(extensionUri, data);
  } catch (error) {
    if (error instanceof LensError && error.kind === 'cancelled') return;
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(isUserError(error) ? message : `Multimodal Lens failed: ${message}`);
  }
}
