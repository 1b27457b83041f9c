/**
 * Host-side pieces the explorer view and the image editor share: checking an image the user names, its
 * preview for the page, and saving a file a webview exported.
 */
import { basename, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { badInput } from '../core/errors';
import type { InferenceClient } from '../inference/remote/inferenceClient';
import { hasImageExtension, IMAGE_EXTENSIONS } from '../shared/imagePaths';
import { Msg, respond, type FromWebview, type ImageEntry, type ToWebview } from '../shared/protocol';
import { readSettings } from './settings';

/** Pixels on the shorter side of a preview: enough for a 384 px overlay. */
const PREVIEW_SIDE = 384;

/**
 * The file path of an image the user named: a vscode.Uri (explorer menu, drop) or a string (a path or a
 * file: URI, from a hover link). Throws a LensError saying what is wrong unless it is an existing image file.
 */
export async function checkImageArgument(argument: unknown): Promise<string> {
  let uri: vscode.Uri;
  if (argument instanceof vscode.Uri) uri = argument;
  else if (typeof argument === 'string' && /^[a-z][a-z0-9+.-]+:/i.test(argument)) uri = vscode.Uri.parse(argument, true);
  else if (typeof argument === 'string' && isAbsolute(argument)) uri = vscode.Uri.file(argument);
  else throw badInput(`Add Image to Alignment Explorer needs an image file (a file URI or an absolute path), not ${describe(argument)}.`, 'Right-click an image in the explorer, or run the command from the palette and pick one.');
  const shown = uri.scheme === 'file' ? uri.fsPath : uri.toString();
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') throw badInput(`${shown} is not a local file.`, 'Add an image file from the workspace or the disk.');
  if (!hasImageExtension(uri.path)) throw badInput(`${shown} is not an image file.`, `Add a file ending in ${IMAGE_EXTENSIONS.map((e) => `.${e}`).join(', ')}.`);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    throw badInput(`${shown} does not exist.`, 'Check the path; it may have been moved or deleted.');
  }
  if (stat.type & vscode.FileType.Directory) throw badInput(`${shown} is a folder, not an image file.`, 'Add an image file.');
  return uri.fsPath;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : value === undefined ? 'nothing' : typeof value;
}

/** The image's entry for a page: path, name and a PNG preview as a data: URL, made by the inference process. */
export async function imageEntry(inference: Pick<InferenceClient, 'imagePreview'>, path: string): Promise<ImageEntry> {
  return { path, name: basename(path), preview: await inference.imagePreview(path, PREVIEW_SIDE, readSettings().maxImagePixels) };
}

const FILTERS: Record<string, Record<string, string[]>> = { png: { 'PNG image': ['png'] }, svg: { 'SVG image': ['svg'] }, json: { JSON: ['json'] } };

/** Asks where to save an exported file (next to `near`) and writes it; the saved path, or null when dismissed. */
export async function saveExport(message: Extract<FromWebview, { type: typeof Msg.Export }>, near: vscode.Uri | undefined): Promise<string | null> {
  const folder = near ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Export ${message.format.toUpperCase()}`,
    filters: FILTERS[message.format],
    defaultUri: folder ? vscode.Uri.joinPath(folder, message.fileName) : undefined,
  });
  if (!target) return null;
  const bytes = message.format === 'png'
    ? Buffer.from(message.content.slice('data:image/png;base64,'.length), 'base64')
    : Buffer.from(message.content, 'utf8');
  await vscode.workspace.fs.writeFile(target, bytes);
  return target.fsPath;
}

/** Answers an export request: saves it and replies with the saved path (null when the user cancelled). */
export async function answerExport(post: (message: ToWebview) => void, message: Extract<FromWebview, { type: typeof Msg.Export }>, near?: vscode.Uri): Promise<void> {
  try {
    const saved = await saveExport(message, near);
    post(respond(message.requestId, { body: { saved } }));
    if (saved) void vscode.window.showInformationMessage(`Multimodal Lens: saved ${basename(saved)}.`);
  } catch (error) {
    post(respond(message.requestId, { error }));
  }
}

/** The message text of any error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
