/** Registers every command and provider of the extension; each registration goes into context.subscriptions. */
import * as vscode from 'vscode';
import { EXECUTION_PROVIDER_SETTINGS } from '../inference/executionProvider';
import { analyzeImage, ANALYZE_IMAGE_COMMAND } from './analyzeImageCommand';
import { InferenceHost } from './inferenceHost';
import { SECTION } from './settings';

/** Sets up the extension's commands over one lazily created inference service. */
export function registerProviders(context: vscode.ExtensionContext): void {
  const host = new InferenceHost(context.extensionPath);
  context.subscriptions.push(
    host,
    vscode.commands.registerCommand(ANALYZE_IMAGE_COMMAND, (uri?: vscode.Uri) => analyzeImage(host, context.extensionUri, uri)),
    vscode.commands.registerCommand('multimodalLens.selectExecutionProvider', async () => {
      const picked = await vscode.window.showQuickPick([...EXECUTION_PROVIDER_SETTINGS], { title: 'Execution provider for Multimodal Lens' });
      if (picked) await vscode.workspace.getConfiguration(SECTION).update('executionProvider', picked, vscode.ConfigurationTarget.Global);
    }),
  );
}
