/**
 * The one-time notice in an untrusted workspace: settings.ts already ignores the restricted settings there;
 * this tells the user once per window, when they run a command, which of their settings are being ignored.
 */
import * as vscode from 'vscode';
import { ignoredSettings, trustNoticeMessage } from '../shared/trustNotice';
import { readSettings, SECTION } from './settings';

let shown = false;

/** Shows the notice if the workspace is untrusted and a restricted setting has a value, at most once. */
export function showTrustNoticeOnce(): void {
  if (shown || vscode.workspace.isTrusted) return;
  const config = vscode.workspace.getConfiguration(SECTION);
  // The settings package.json restricts in untrusted workspaces, with the values settings.ts uses there instead.
  const { model, executionProvider, modelVariant, maxImagePixels, hover, cacheBytes } = readSettings();
  const MB = 1024 * 1024;
  const restricted = { model, executionProvider, modelVariant, maxImageMegapixels: maxImagePixels / 1e6, 'hover.maxImageMegabytes': hover.maxImageBytes / MB, 'cache.maxMegabytes': cacheBytes / MB };
  const settings = Object.entries(restricted).map(([key, effective]) => [`${SECTION}.${key}`, { levels: config.inspect(key), effective }]);
  const message = trustNoticeMessage(ignoredSettings(Object.fromEntries(settings)));
  if (!message) return;
  shown = true;
  void vscode.window.showInformationMessage(message, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
}
