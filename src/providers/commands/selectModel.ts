/**
 * "Select Model...": a QuickPick of the bundled models, the downloaded ones (global storage) and a folder
 * browser. The choice is loaded first, so an unusable folder is refused with the loader's error, and only
 * then saved in the user settings (the model setting is machine-scoped).
 */
import { basename, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { bundledModelDir } from '../../inference/model/bundledModels';
import { listModelFolders } from '../../inference/model/modelChoices';
import { UNTRUSTED_NOTE } from '../../shared/lensStatus';
import type { InferenceHost } from '../inferenceHost';
import { SECTION } from '../settings';
import { runWithProgress, unlessCancelled } from './longRun';

/** The command id, as contributed in package.json. */
export const SELECT_MODEL_COMMAND = 'multimodalLens.selectModel';

interface ModelItem extends vscode.QuickPickItem {
  /** The model folder; undefined for "Browse...". */
  dir?: string;
}

/** Shows the picker and saves the choice once it loads. */
export async function selectModel(host: InferenceHost, extensionPath: string, globalStorage: vscode.Uri): Promise<void> {
  const current = resolve(host.modelDir());
  const item = (dir: string, description: string): ModelItem => ({ label: `${resolve(dir) === current ? '$(check) ' : ''}${basename(dir)}`, description, detail: dir, dir });
  const bundled = await listModelFolders(host.bundledRoot);
  const downloaded = await listModelFolders(join(globalStorage.fsPath, 'models'));
  const separator = (label: string): ModelItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
  const picked = await vscode.window.showQuickPick<ModelItem>([
    separator('Bundled'),
    ...bundled.map((dir) => item(dir, 'bundled demo model')),
    ...(downloaded.length > 0 ? [separator('Downloaded'), ...downloaded.map((dir) => item(dir, 'downloaded'))] : []),
    separator(''),
    { label: '$(folder-opened) Browse for a model folder...' },
  ], { title: 'Model for Multimodal Lens', matchOnDetail: true });
  if (!picked) return;
  const dir = picked.dir ?? (await browse());
  if (!dir) return;
  const loaded = await runWithProgress(host.log, `loading ${basename(dir)}`, (options) => unlessCancelled(host.get().describeModel(dir, options), options.signal));
  if (!loaded) return;
  // Bundled models are saved by name (the default one as the empty setting): the extension folder moves on update.
  const value = resolve(dir) === resolve(bundledModelDir(extensionPath)) ? '' : resolve(dir) === resolve(bundledModelDir(extensionPath, basename(dir))) ? basename(dir) : dir;
  await vscode.workspace.getConfiguration(SECTION).update('model', value, vscode.ConfigurationTarget.Global);
  host.log.info(`Model set to ${dir} (${loaded.name}, ${loaded.family}).`);
  if (!vscode.workspace.isTrusted) void vscode.window.showInformationMessage(`Model saved in your user settings. ${UNTRUSTED_NOTE}`);
}

async function browse(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: 'Model folder (config.json, tokenizer.json, onnx/...)', openLabel: 'Use Model' });
  return picked?.[0]?.fsPath;
}
