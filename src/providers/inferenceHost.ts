/**
 * Owns the inference service for the extension host: created on first use (which starts the inference
 * process, where onnxruntime and sharp load), and replaced when a setting it depends on changes or the
 * workspace becomes trusted, so changes apply without a reload. It also keeps what the status bar shows: the
 * model, the provider that ran, and the last report for Export Report.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { modelDirFromSetting } from '../inference/model/bundledModels';
import { InferenceClient } from '../inference/remote/inferenceClient';
import type { LensStatus } from '../shared/lensStatus';
import type { GenerationReportData } from '../shared/generationResult';
import type { ProbeReportData } from '../shared/probeResult';
import type { ReportData } from '../shared/reportData';
import { Disposable } from './disposable';
import { readSettings, SECTION } from './settings';

/** The settings the service is built from; other settings are read at each call. */
const SERVICE_SETTINGS = ['model', 'modelVariant', 'executionProvider', 'maxImageMegapixels'].map((key) => `${SECTION}.${key}`);

/** A report that Export Report can save: an analysis, a probe or a generated answer. */
export type LastReport = { kind: 'analysis'; data: ReportData } | { kind: 'probe'; data: ProbeReportData } | { kind: 'generation'; data: GenerationReportData };

/** What a result says about the model that produced it (AnalysisResult, ProbeResult and ZeroShotResult all carry it). */
export interface ResultModel {
  executionProvider: string;
  notices: string[];
  /** Providers the auto setting could not start: logged once and in the status bar's tooltip, never a warning. */
  fallbacks?: string[];
}

/** Lazily creates the service, disposes it on setting changes and on deactivation, and tracks its state. */
export class InferenceHost extends Disposable {
  private service: InferenceClient | undefined;
  private activeProvider: string | undefined;
  /** Why the auto setting runs on the provider it does, when it fell back. */
  private fallback: string | undefined;
  private readonly logged = new Set<string>();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when the model, the provider setting or the provider that ran changes. */
  readonly onDidChange = this.changed.event;
  /** The last analysis or probe shown, for Export Report. */
  lastReport: LastReport | undefined;

  /**
   * @param extensionPath the installed extension's folder, which holds the bundled models
   * @param log where notices and errors go
   * @param cacheDir where onnxruntime's optimized models are kept between sessions
   */
  constructor(private readonly extensionPath: string, readonly log: vscode.LogOutputChannel, private readonly cacheDir?: string) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (SERVICE_SETTINGS.some((key) => e.affectsConfiguration(key))) void this.reset();
    }));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reset()));
    this.register({ dispose: () => void this.reset() });
  }

  /**
   * The service, created on first call. It runs in its own process (dist/inferenceProcess.js): onnxruntime,
   * sharp and the tokenizers meet the user's files there, so a native crash cannot take the extension host down.
   */
  get(): InferenceClient {
    const settings = readSettings();
    this.service ??= new InferenceClient({
      executionProvider: settings.executionProvider,
      modelVariant: settings.modelVariant,
      defaultModelDir: this.modelDir(),
      maxImagePixels: settings.maxImagePixels,
      cacheDir: this.cacheDir,
    }, join(this.extensionPath, 'dist', 'inferenceProcess.js'), (why) => this.log.warn(`${why} The calls it was running failed; the next one starts a new process.`));
    return this.service;
  }

  /** The folder of the bundled models. */
  get bundledRoot(): string {
    return join(this.extensionPath, 'models');
  }

  /** The model folder in use: the setting, or the bundled demo model. */
  modelDir(): string {
    return modelDirFromSetting(this.extensionPath, readSettings().model);
  }

  /** What the status bar shows. */
  status(): LensStatus {
    return { modelDir: this.modelDir(), providerSetting: readSettings().executionProvider, activeProvider: this.activeProvider, fallback: this.fallback, trusted: vscode.workspace.isTrusted };
  }

  /**
   * Records what a result says about its run: the provider that ran (for the status bar) and its notices,
   * each logged once. A provider the user chose that could not start gets one visible warning.
   */
  observe(model: ResultModel): void {
    const setting = readSettings().executionProvider;
    const fresh = [...model.notices, ...(model.fallbacks ?? [])].filter((n) => !this.logged.has(n));
    for (const notice of fresh) {
      this.logged.add(notice);
      this.log.info(notice);
    }
    const fallback = model.fallbacks?.join(' ');
    if (this.activeProvider === model.executionProvider && this.fallback === fallback) return;
    this.activeProvider = model.executionProvider;
    this.fallback = fallback;
    this.log.info(`Execution provider: ${model.executionProvider} (setting: ${setting}).`);
    this.changed.fire();
    if (setting !== 'auto' && setting !== model.executionProvider) {
      void vscode.window.showWarningMessage(`Multimodal Lens: the ${setting} execution provider could not start; running on ${model.executionProvider}. See the log for why.`, 'Show Log')
        .then((choice) => choice && this.log.show(true));
    }
  }

  /** Drops the service (its sessions are released) so the next call builds one from the current settings. */
  async reset(): Promise<void> {
    const old = this.service;
    this.service = undefined;
    this.activeProvider = undefined;
    this.fallback = undefined;
    this.logged.clear();
    this.changed.fire();
    await old?.dispose();
  }
}
