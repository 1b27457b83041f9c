/**
 * Long work behind a notification with a Cancel button: the token becomes the AbortSignal the inference
 * service checks, its progress reports become the notification's message, and a failure is shown once.
 */
import * as vscode from 'vscode';
import { LensError } from '../../core/errors';
import type { LongRunOptions } from '../../core/progress';
import { reportError } from '../log';

/**
 * Runs `work` with progress and cancel; `work` may also put its own message in the notification (`report`).
 * Returns its value, or undefined when the user cancelled or it failed (the error is then logged and shown with
 * its LensError text).
 */
export async function runWithProgress<T>(log: vscode.LogOutputChannel, title: string, work: (options: LongRunOptions, report: (message: string) => void) => Promise<T>): Promise<T | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Multimodal Lens: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          return await work({
            signal: controller.signal,
            onProgress: (p) => progress.report({ message: `${p.stage} ${p.done}/${p.total}` }),
          }, (message) => progress.report({ message }));
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (error) {
    if (error instanceof LensError && error.kind === 'cancelled') {
      log.info(`${title}: cancelled.`);
      return undefined;
    }
    await reportError(log, error);
    return undefined;
  }
}

/**
 * Waits for `promise`, or throws a 'cancelled' LensError as soon as `signal` fires: for calls that take no
 * signal themselves (loading a model), whose result is then simply not used.
 */
export function unlessCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new LensError('cancelled', 'The operation was cancelled.'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
