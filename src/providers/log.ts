/**
 * The extension's log: one LogOutputChannel ("Multimodal Lens") that holds the details notifications leave
 * out (stacks, provider fallbacks, model notices), and the one way commands report an error to the user.
 */
import * as vscode from 'vscode';
import { isUserError } from '../core/errors';

/** The output channel's name, as the Output view lists it. */
export const LOG_NAME = 'Multimodal Lens';

/** Creates the log channel; call once, at activation. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_NAME, { log: true });
}

/**
 * Logs `error` with its stack and shows its message: a LensError's text as it is (it already says what to
 * do), anything else prefixed as our failure. "Show Log" opens the details.
 */
export async function reportError(log: vscode.LogOutputChannel, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  if (isUserError(error)) log.warn(message);
  else log.error(error instanceof Error ? error : message);
  const shown = isUserError(error) ? message : `Multimodal Lens failed: ${message}`;
  if ((await vscode.window.showErrorMessage(shown, 'Show Log')) === 'Show Log') log.show(true);
}
