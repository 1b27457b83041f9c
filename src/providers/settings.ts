/**
 * The extension's settings, read in one typed place (src/shared/lensSettings.ts types them). `model`,
 * `executionProvider` and the pixel limit are machine-scoped in package.json and ignored in untrusted
 * workspaces, so a workspace cannot choose which files are loaded, which native provider runs, or how large an
 * image may be decoded.
 */
import * as vscode from 'vscode';
import { lensSettings, type LensSettings } from '../shared/lensSettings';

export type { LensSettings } from '../shared/lensSettings';

/** The settings section. */
export const SECTION = 'multimodalLens';

/** Reads the current settings, with invalid values replaced by their defaults. */
export function readSettings(): LensSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return lensSettings((key) => config.get(key), vscode.workspace.isTrusted);
}
