/**
 * Multimodal Lens: activation registers the providers; the inference service (and with it onnxruntime and
 * sharp) is created on first use, so activation stays cheap.
 */
import * as vscode from 'vscode';
import { registerProviders } from './src/providers/registerProviders';

/** Called by VS Code when a contributed command or view is first used. */
export function activate(context: vscode.ExtensionContext): void {
  registerProviders(context);
}

/** Nothing to do: every resource is in context.subscriptions and is disposed by VS Code. */
export function deactivate(): void {}
