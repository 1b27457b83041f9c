/**
 * "Zero-shot Labels...": pick an image, edit the label set (prefilled from the labels setting), classify with
 * the prompt templates setting, and list the top labels with their probabilities. Picking a label opens the
 * full analysis of the image with that label's prompt, to see where the model finds it.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { buildPrompts } from '../../analysis/zeroShot';
import { formatLabelList, parseLabelList } from '../../shared/labelList';
import { analyzeAndShow } from '../analyzeImageCommand';
import type { InferenceHost } from '../inferenceHost';
import { readSettings } from '../settings';
import { promptTemplates } from '../promptTemplates';
import { runWithProgress } from './longRun';
import { pickImage } from './pickFile';

/** The command id, as contributed in package.json. */
export const ZERO_SHOT_COMMAND = 'multimodalLens.zeroShot';

/** How many labels the list shows. */
const TOP_K = 10;

/** Runs the command for `uri` or for an image the user picks. */
export async function zeroShot(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const image = uri ?? (await pickImage('Zero-shot Labels'));
  if (!image) return;
  const settings = readSettings();
  const templates = await promptTemplates(host);
  const input = await vscode.window.showInputBox({
    title: 'Zero-shot labels',
    prompt: `Comma-separated labels; prompt templates: ${templates.join(' | ')} (setting multimodalLens.promptTemplates${settings.promptTemplates.length > 0 ? '' : "; empty: the model's own"})`,
    value: formatLabelList(settings.labels),
    validateInput: (text) => (parseLabelList(text).length < 2 ? 'Give at least two labels to choose between.' : undefined),
  });
  const labels = input === undefined ? [] : parseLabelList(input);
  if (labels.length < 2) return;
  const result = await runWithProgress(host.log, 'zero-shot labels', async (options) => {
    const out = await host.get().zeroShot({ images: [image.fsPath], labels, templates, topK: Math.min(TOP_K, labels.length) }, options);
    host.observe(out.model);
    return out;
  });
  if (!result) return;
  const items = result.images[0].top.map((hit) => ({ label: hit.label, description: `${(hit.probability * 100).toFixed(1)}%` }));
  const how = { softmax: 'softmax over the labels', sigmoid: 'sigmoid per label', itm: 'matching probability per label' }[result.scoring];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Top labels for ${basename(image.fsPath)} (${result.model.name} on ${result.model.executionProvider}, ${how})`,
    placeHolder: 'Pick a label to see where the model finds it in the image',
  });
  // The panel opens on the picked label's own map: where the model finds it, the point of picking it.
  if (picked) await analyzeAndShow(host, extensionUri, image, [buildPrompts([picked.label], templates.slice(0, 1))[0].text], { overlay: 'alignment-0' });
}
