/**
 * "Run Fusion Probe on Dataset...": pick a manifest of image-caption pairs (JSON Lines, CSV, or COCO
 * captions JSON), run the retrieval and fusion probes with progress and cancel, show the probe report in a
 * panel, and offer to save the result as JSON.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { showProbePanel } from '../analysisPanel';
import { answerProbePanelRequests } from '../panelRequests';
import type { InferenceHost } from '../inferenceHost';
import { runWithProgress } from './longRun';
import { saveJson } from './exportReport';

/** The command id, as contributed in package.json. */
export const RUN_PROBE_COMMAND = 'multimodalLens.runProbe';

/** Runs the command for `uri` or for a manifest the user picks. */
export async function runProbe(host: InferenceHost, extensionUri: vscode.Uri, uri?: vscode.Uri): Promise<void> {
  const manifest = uri ?? (await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: 'Manifest of image-caption pairs',
    openLabel: 'Run Probe',
    filters: { 'Manifests (JSONL, CSV, COCO JSON)': ['jsonl', 'ndjson', 'csv', 'json'] },
  }))?.[0];
  if (!manifest) return;
  const result = await runWithProgress(host.log, `probing ${basename(manifest.fsPath)}`, async (options) => {
    const out = await host.get().probe({ manifest: { path: manifest.fsPath } }, options);
    host.observe(out.model);
    return out;
  });
  if (!result) return;
  host.log.info(`Probe of ${manifest.fsPath}: ${result.manifest.pairs} pairs on ${result.model.executionProvider}.`);
  host.lastReport = { kind: 'probe', data: { result } };
  answerProbePanelRequests(await showProbePanel(extensionUri, { result }, manifest.fsPath), host, manifest.fsPath, extensionUri);
  const save = await vscode.window.showInformationMessage(`Probe finished: ${result.manifest.pairs} pairs from ${basename(manifest.fsPath)}.`, 'Save JSON...');
  if (save) await saveJson(result, vscode.Uri.joinPath(manifest, '..', `${basename(manifest.fsPath).replace(/\.[^.]+$/, '')}-probe.json`));
}
