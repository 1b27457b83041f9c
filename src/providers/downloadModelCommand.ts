/**
 * "Multimodal Lens: Download Model...": asks for a Hugging Face model id, downloads the model into the
 * extension's global storage (where Select Model... lists it) with a cancellable progress notification, and
 * offers to make it the model in use. A cancelled or broken download keeps its partial files, so running the
 * command again resumes it.
 */
import * as vscode from 'vscode';
import { downloadModel } from '../download/downloadModel';
import { parseRepoRef, repoId } from '../download/repoRef';
import { LensError } from '../core/errors';
import type { ProgressReport } from '../core/progress';
import { SECTION } from './settings';

/** The command id, as contributed in package.json. */
export const DOWNLOAD_MODEL_COMMAND = 'multimodalLens.downloadModel';

const MB = 1024 * 1024;
const USE_MODEL = 'Use this model';
/** Repos being downloaded now: a second run for the same repo would write the same .part files. */
const running = new Set<string>();

/**
 * Runs the command; models go to `<globalStorage>/models/<owner>__<name>` (with `@<revision>` appended for a
 * revision other than main). Errors other than a cancel are thrown for the command wrapper to log and show.
 */
export async function downloadModelCommand(log: vscode.LogOutputChannel, globalStorage: vscode.Uri): Promise<void> {
  const input = await vscode.window.showInputBox({
    title: 'Download a model from Hugging Face',
    prompt: 'Model id (owner/name, optionally @revision) of an ONNX export, e.g. a transformers.js CLIP. Gated or private models read a token from HF_TOKEN.',
    placeHolder: 'Xenova/clip-vit-base-patch32',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? undefined : problemOf(() => parseRepoRef(value))),
  });
  if (!input?.trim()) return;
  const repo = parseRepoRef(input);
  const id = repoId(repo);
  if (running.has(id)) {
    void vscode.window.showWarningMessage(`${id} is already being downloaded.`);
    return;
  }
  running.add(id);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Multimodal Lens: downloading ${id}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          return await downloadModel({ repo, targetRoot: vscode.Uri.joinPath(globalStorage, 'models').fsPath }, { signal: controller.signal, onProgress: throttled(progress) });
        } finally {
          cancel.dispose();
        }
      },
    );
    log.info(`Downloaded ${id}@${repo.revision} to ${result.dir}: ${result.files.join(', ')}.`);
    for (const note of result.folder.notes) log.info(`${id}: ${note}`);
    const choice = await vscode.window.showInformationMessage(`Downloaded ${id} (${(result.bytes / MB).toFixed(1)} MB).`, USE_MODEL);
    if (choice === USE_MODEL) {
      await vscode.workspace.getConfiguration(SECTION).update('model', result.dir, vscode.ConfigurationTarget.Global);
      log.info(`Model set to ${result.dir}.`);
    }
  } catch (error) {
    if (!(error instanceof LensError && error.kind === 'cancelled')) throw error;
    log.info(`Download of ${id} cancelled; partial files kept for resuming.`);
    void vscode.window.showInformationMessage(`Download of ${id} cancelled. Run Download Model... again to resume it.`);
  } finally {
    running.delete(id);
  }
}

/** Shows MB done/total and the current file, at most every 100 ms; VS Code's bar takes increments in percent. */
function throttled(progress: vscode.Progress<{ message?: string; increment?: number }>): (report: ProgressReport) => void {
  let shown = 0;
  let last = 0;
  return ({ stage, done, total }) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const percent = total > 0 ? (100 * done) / total : 0;
    const sizes = total > 0 ? `${(done / MB).toFixed(1)} / ${(total / MB).toFixed(1)} MB` : '';
    progress.report({ message: [sizes, stage].filter(Boolean).join(' · '), increment: percent - shown });
    shown = percent;
  };
}

/** The message of the error `check` throws, or undefined when it passes (for validateInput). */
function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
