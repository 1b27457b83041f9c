/**
 * The extension's settings, read in one typed place. `model` and `executionProvider` are machine-scoped in
 * package.json, so a workspace cannot choose which files are loaded or which native provider runs.
 */
import * as vscode from 'vscode';
import { EXECUTION_PROVIDER_SETTINGS, type ExecutionProviderSetting } from '../inference/executionProvider';

/** The settings section. */
export const SECTION = 'multimodalLens';

/** The typed settings. */
export interface LensSettings {
  /** A model folder, or '' for the bundled demo model. */
  model: string;
  executionProvider: ExecutionProviderSetting;
}

/** Reads the current settings, with invalid values replaced by their defaults. */
export function readSettings(): LensSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const ep = config.get<string>('executionProvider', 'auto');
  return {
    model: config.get<string>('model', '').trim(),
    executionProvider: EXECUTION_PROVIDER_SETTINGS.find((s) => s === ep) ?? 'auto',
  };
}
