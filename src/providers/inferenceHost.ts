/**
 * Owns the inference service for the extension host: created on first use (which loads onnxruntime and
 * sharp), and replaced when a setting it depends on changes, so changes apply without a reload.
 */
import * as vscode from 'vscode';
import { bundledModelDir } from '../inference/bundledModels';
import { InferenceService } from '../inference/service';
import { Disposable } from './disposable';
import { readSettings, SECTION } from './settings';

/** Lazily creates the service and disposes it on setting changes and on deactivation. */
export class InferenceHost extends Disposable {
  private service: InferenceService | undefined;

  /** @param extensionPath the installed extension's folder, which holds the bundled models */
  constructor(private readonly extensionPath: string) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) void this.reset();
    }));
    this.register({ dispose: () => void this.reset() });
  }

  /** The service, created on first call. */
  get(): InferenceService {
    const settings = readSettings();
    this.service ??= new InferenceService({
      executionProvider: settings.executionProvider,
      defaultModelDir: settings.model || bundledModelDir(this.extensionPath),
    });
    return this.service;
  }

  private async reset(): Promise<void> {
    const old = this.service;
    this.service = undefined;
    await old?.dispose();
  }
}
