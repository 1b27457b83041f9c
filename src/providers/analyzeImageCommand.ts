/**
 * "Multimodal Lens: Analyze Image...": pick an image (or take the one right-clicked in the explorer), enter
 * texts (suggested: the labels the model ranks highest on it), run the analysis with a cancellable progress notification and show it in a panel. The run-and-show
 * half is shared with Analyze Image with Selected Text and Zero-shot Labels.
 */
import * as vscode from 'vscode';
import type { AlignmentMethod } from '../shared/analysisResult';
import type { Box } from '../shared/mapEvaluation';
import type { ReportData } from '../shared/reportData';
import { showAnalysisPanel } from './analysisPanel';
import { answerPanelRequests } from './panelRequests';
import { pickImage } from './commands/pickFile';
import { runWithProgress } from './commands/longRun';
import type { InferenceHost } from './inferenceHost';
import { readSettings } from './settings';
import { rankedPrompts } from './promptTemplates';

/** The command id, as contributed in package.json. */
export const ANALYZE_IMAGE_COMMAND = 'multimodalLens.analyzeImage';

/** Runs the command for `uri` (from the explorer menu) or for an image the user picks. */
export async function analyzeImage(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const image = uri ?? (await pickImage('Analyze Image'));
  if (!image) return;
  const input = await vscode.window.showInputBox({
    title: 'Texts to compare with the image',
    prompt: 'Separate texts with |',
    value: (await rankedPrompts(host, image.fsPath, SUGGESTED)).join(' | '),
  });
  const texts = input?.split('|').map((t) => t.trim()).filter((t) => t.length > 0);
  if (!texts || texts.length === 0) return;
  await analyzeAndShow(host, extensionUri, image, texts);
}

/** How many of the labels the input box suggests. */
const SUGGESTED = 3;

/**
 * How a panel opens: on `overlay` (for example "alignment-0", a text's map), its alignment maps made by `alignment`
 * (else as the alignment.method setting says), with attention flow, with `boxes` (in the image's pixels) outlined.
 */
export interface PanelView {
  overlay?: string;
  alignment?: AlignmentMethod;
  flow?: boolean;
  boxes?: Box[];
}

/** Analyses `image` with `texts` under a progress notification and shows the result in a new panel, opening as `view` says. */
export async function analyzeAndShow(host: InferenceHost, extensionUri: vscode.Uri, image: vscode.Uri, texts: string[], view: PanelView = {}): Promise<void> {
  const { overlay, alignment, flow, boxes } = view;
  const { rollout, maxImagePixels, alignmentMethod } = readSettings();
  const modelDir = host.modelDir();
  const shown = await runWithProgress(host.log, 'analyzing', async (options) => {
    // The layer lens costs the head once more per layer; only a two-tower model has one to read.
    const { family } = await host.get().describeModel(modelDir, options);
    const { heldAttention, ...page } = await host.get().analyzeForPage({
      modelDir,
      images: [image.fsPath],
      texts,
      rollout: { fusion: rollout.headFusion, startLayer: rollout.startLayer, residual: rollout.residual },
      lens: family === 'twoTower',
      alignment: alignment ?? alignmentMethod,
      ...(flow && { flow }),
    }, undefined, options);
    host.observe(page.result.model);
    const data: ReportData = { ...page, images: [await host.get().imagePreview(image.fsPath, undefined, maxImagePixels)], ...(overlay ? { overlay } : {}), ...(boxes ? { boxes: [boxes] } : {}) };
    return { data, heldAttention };
  });
  if (!shown) return;
  host.lastReport = { kind: 'analysis', data: shown.data };
  answerPanelRequests(await showAnalysisPanel(extensionUri, shown.data), shown.data.result, host, modelDir, shown.heldAttention);
}
