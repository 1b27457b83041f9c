/** Registration of the extension's commands, each wrapped the same way. */
import * as vscode from 'vscode';
import { reportError } from '../log';
import { showTrustNoticeOnce } from '../trustNotice';

/**
 * Registers `handler` under `id`: it first shows the untrusted-workspace notice (once per window), and an
 * error it throws is logged and shown instead of reaching VS Code's generic "command failed" message.
 */
export function registerLensCommand<A extends unknown[]>(id: string, log: vscode.LogOutputChannel, handler: (...args: A) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A) => {
    showTrustNoticeOnce();
    try {
      await handler(...args);
    } catch (error) {
      await reportError(log, error);
    }
  });
}
