/** Open dialogs the commands share. */
import * as vscode from 'vscode';
import { IMAGE_EXTENSIONS } from '../../shared/imagePaths';

/** Asks for one image file; undefined when the dialog is dismissed. */
export async function pickImage(title: string): Promise<vscode.Uri | undefined> {
  return (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: [...IMAGE_EXTENSIONS] }, title, openLabel: 'Analyze' }))?.[0];
}
