/**
 * "Analyze Image with Selected Text": the selection is the caption (each non-empty line one text); the image
 * is the first image path written on the selection's lines that resolves to a file (relative to the document,
 * then to the workspace folders), or one the user picks.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { resolveImagePath } from '../../hover/resolveImagePath';
import { imagePathCandidates, pathSpellings } from '../../shared/imagePathsInText';
import { analyzeAndShow } from '../analyzeImageCommand';
import type { InferenceHost } from '../inferenceHost';
import { pickImage } from './pickFile';

/** The command id, as contributed in package.json. */
export const ANALYZE_SELECTION_COMMAND = 'multimodalLens.analyzeImageWithSelection';

/** Runs the command on the active editor's selection. */
export async function analyzeSelection(host: InferenceHost, extensionUri: vscode.Uri): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const texts = editor ? selectionTexts(editor.document.getText(editor.selection)) : [];
  if (!editor || texts.length === 0) {
    void vscode.window.showInformationMessage('Select the text to compare with an image first (each line is one text).');
    return;
  }
  const image = (await findImage(editor.document, editor.selection)) ?? (await pickImage('Image to compare with the selected text'));
  if (image) await analyzeAndShow(host, extensionUri, image, texts);
}

/** Each non-empty line of the selection, trimmed. */
function selectionTexts(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}

/** The first image path on the selection's lines that names a file. */
async function findImage(document: vscode.TextDocument, selection: vscode.Selection): Promise<vscode.Uri | undefined> {
  const lines = [];
  for (let line = selection.start.line; line <= selection.end.line; line++) lines.push(document.lineAt(line).text);
  const context = {
    documentDir: document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined,
    workspaceDirs: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
  };
  for (const path of imagePathCandidates(lines.join('\n')).flatMap(pathSpellings)) {
    const found = await resolveImagePath(path, context);
    if (found) return vscode.Uri.file(found);
  }
  return undefined;
}
