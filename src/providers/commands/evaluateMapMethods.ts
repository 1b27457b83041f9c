/**
 * "Evaluate Map Methods on Dataset...": pick a manifest with boxes (phrases with boxes as JSON Lines, or a COCO
 * instances file), choose the map methods (the perturbation ones, which cost a forward pass per patch or mask,
 * unticked), run `mmlens evaluate --manifest`'s evaluation in the inference process with progress and cancel, and
 * show the table and each method's worst cases in a panel, where each case opens in the analysis panel. A cancelled
 * run shows the cases done. Offers to save the JSON.
 */
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_CASE_LIMIT, MAP_METHODS, MAX_CASE_LIMIT, type ManifestEvaluationResult, type MapMethod } from '../../shared/mapEvaluation';
import { showEvaluationPanel } from '../analysisPanel';
import { analyzeAndShow, type PanelView } from '../analyzeImageCommand';
import type { InferenceHost } from '../inferenceHost';
import { answerEvaluationPanelRequests } from '../panelRequests';
import { promptTemplates } from '../promptTemplates';
import { saveJson } from './exportReport';
import { runWithProgress } from './longRun';

/** The command id, as contributed in package.json. */
export const EVALUATE_MAP_METHODS_COMMAND = 'multimodalLens.evaluateMapMethods';

/** RISE's masks per map, as `mmlens evaluate` draws them by default. */
const RISE_MASKS = 500;

const DESCRIPTIONS: Record<MapMethod, string> = {
  rollout: 'attention rollout, one pass',
  flow: 'attention flow (max-flow), one pass',
  alignment: 'patch tokens against the text, one pass',
  maskclip: "MaskCLIP's value path, one pass",
  values: 'value path without residual and MLP, one pass',
  clearclip: 'ClearCLIP: query-query attention, no residual or MLP, one pass',
  occlusion: 'each patch hidden in turn: a pass per patch',
  rise: `${RISE_MASKS} random masks: ${RISE_MASKS} passes a map`,
};
const PERTURBATION: readonly MapMethod[] = ['occlusion', 'rise'];

/** Runs the command for `uri` or for a manifest the user picks. */
export async function evaluateMapMethods(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const manifest = uri ?? (await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: 'Manifest of images with boxes',
    openLabel: 'Evaluate',
    filters: { 'Phrases with boxes (JSONL), COCO instances (JSON)': ['jsonl', 'ndjson', 'json'] },
  }))?.[0];
  if (!manifest) return;
  const picked = await vscode.window.showQuickPick(
    MAP_METHODS.map((method) => ({ label: method, description: DESCRIPTIONS[method], picked: !PERTURBATION.includes(method) })),
    { canPickMany: true, title: 'Map methods to evaluate', placeHolder: 'The perturbation methods are slow: each costs many forward passes per case' },
  );
  if (!picked || picked.length === 0) return;
  const limit = await vscode.window.showInputBox({
    title: 'Cases to score',
    prompt: 'At most this many image-text cases, in the manifest\'s order',
    value: String(DEFAULT_CASE_LIMIT),
    validateInput: (text) => (/^\s*\d+\s*$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_CASE_LIMIT ? undefined : `A whole number from 1 to ${MAX_CASE_LIMIT}`),
  });
  if (limit === undefined) return;
  const modelDir = host.modelDir();
  const [template] = await promptTemplates(host);
  const result = await runWithProgress(host.log, `evaluating map methods on ${basename(manifest.fsPath)}`, (options) =>
    host.get().evaluateManifest({
      modelDir,
      manifest: manifest.fsPath,
      template,
      limit: Number(limit),
      methods: MAP_METHODS.filter((method) => picked.some((p) => p.label === method)),
      riseMasks: RISE_MASKS,
      seed: randomInt(2 ** 32 - 1),
    }, options));
  if (!result) return;
  host.log.info(`Map evaluation of ${manifest.fsPath}: ${result.cases.length} cases in ${result.manifest.images} images${result.cancelled ? ' (cancelled)' : ''}.`);
  const panel = await showEvaluationPanel(extensionUri, { result }, manifest.fsPath);
  answerEvaluationPanelRequests(panel, host, (index, method) => openCase(host, extensionUri, result, index, method));
  const ended = result.cancelled ? 'Cancelled' : 'Finished';
  const save = await vscode.window.showInformationMessage(`${ended}: ${result.cases.length} cases from ${basename(manifest.fsPath)}.`, 'Save JSON...');
  if (save) await saveJson(result, vscode.Uri.joinPath(manifest, '..', `${basename(manifest.fsPath).replace(/\.[^.]+$/, '')}-maps.json`));
}

/**
 * Case `index` of `result` in the analysis panel, opening on that method's map: the rollout or the flow, the text's
 * alignment map made by the method for a value path, else (patch tokens, and occlusion and RISE, which the panel
 * computes on request) the text's patch-token alignment map; the case's boxes are outlined on the image.
 */
async function openCase(host: InferenceHost, extensionUri: vscode.Uri, result: ManifestEvaluationResult, index: number, method: MapMethod): Promise<void> {
  const found = result.cases[index];
  if (!found) return host.log.warn(`The evaluation page asked for case ${index}; it has ${result.cases.length}.`);
  const views: Partial<Record<MapMethod, PanelView>> = {
    rollout: { overlay: 'rollout' }, flow: { overlay: 'flow', flow: true },
    maskclip: { alignment: 'maskclip' }, values: { alignment: 'values' }, clearclip: { alignment: 'clearclip' },
  };
  // Patch tokens unless the method says otherwise, whatever the alignment.method setting: the case is that method's.
  await analyzeAndShow(host, extensionUri, vscode.Uri.file(found.image), [found.text], { overlay: 'alignment-0', alignment: 'patchTokens', boxes: found.boxes, ...views[method] });
}
