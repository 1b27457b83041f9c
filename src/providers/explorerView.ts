/**
 * The alignment explorer: a webview view (multimodalLens.explorer) showing every image with every text as a
 * similarity matrix, the opened pair's overlays and the fusion probes; with a generative model, every text asked
 * as a prompt about every image, each cell the answer (explorerAnswers.ts), a cell opening the Ask About Image
 * panel. The host keeps the set and the last analysis, so a hidden view (no retainContextWhenHidden) is rebuilt
 * from the ready handshake. Every message from the page is validated (protocolValidators.ts) before it is acted on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LensError } from '../core/errors';
import { readManifest } from '../inference/datasets/manifest';
import type { LongRunOptions } from '../core/progress';
import type { AnalysisResult } from '../shared/analysisResult';
import { applyTemplate, modelInfo, pairMaps, pairsManifest, scoreMatrix } from '../shared/explorerData';
import { IMAGE_EXTENSIONS } from '../shared/imagePaths';
import { Msg, respond, type ExplorerData, type FromWebview, type PairMaps, type ToWebview } from '../shared/protocol';
import { parseFromWebview } from '../shared/protocolValidators';
import { registerLensCommand } from './commands/lensCommand';
import { ADD_TO_EXPLORER_COMMAND } from '../hover/hoverMarkdown';
import { Disposable } from './disposable';
import type { InferenceHost } from './inferenceHost';
import { answerExport, checkImageArgument, errorText, imageEntry } from './webviewHost';
import { answerGrid } from './explorerAnswers';
import { openAskPanel } from './askPanel';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** The view id and the commands, as contributed in package.json. */
export const EXPLORER_VIEW_ID = 'multimodalLens.explorer';
export const OPEN_EXPLORER_COMMAND = 'multimodalLens.openExplorer';

/** The most images the explorer holds: each analysis runs all of them against all texts. */
const MAX_IMAGES = 64;
const MANIFEST_PAIRS = 32;
const EXPLORER_MESSAGES: FromWebview['type'][] = [Msg.Ready, Msg.SetTexts, Msg.AddImages, Msg.PickImages, Msg.RemoveImage, Msg.LoadManifest, Msg.SelectCell, Msg.RunProbe, Msg.Cancel, Msg.Export, Msg.AskCell];

const emptyData = (): ExplorerData => ({ images: [], labels: [], template: '', texts: [], matrix: null, model: null, probe: null, answers: null });

/** Provides the explorer view and runs its analyses through the extension's inference host. */
export class ExplorerViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private data = emptyData();
  private result: AnalysisResult | undefined;
  private manifest: string | undefined;
  private running: AbortController | undefined;

  /** @param extensionUri the extension's folder (dist/ and media/ are the page's only resources) */
  constructor(private readonly extensionUri: vscode.Uri, private readonly host: InferenceHost) {
    super();
    this.register(vscode.window.registerWebviewViewProvider(EXPLORER_VIEW_ID, this));
    this.register(registerLensCommand(OPEN_EXPLORER_COMMAND, host.log, () => this.reveal()));
    this.register(registerLensCommand(ADD_TO_EXPLORER_COMMAND, host.log, (argument: unknown) => this.addFromCommand(argument)));
    this.register({ dispose: () => this.running?.abort() });
  }

  /** Called by VS Code each time the view is shown after being disposed. */
  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'explorer', 'Alignment Explorer');
    const listener = view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
    view.onDidDispose(() => {
      listener.dispose();
      if (this.view === view) this.view = undefined;
    });
  }

  private async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${EXPLORER_VIEW_ID}.focus`);
  }

  /** The command's argument: a Uri (explorer menu), a path or file URI string (hover link), or none (pick files). */
  private async addFromCommand(argument: unknown): Promise<void> {
    const path = argument === undefined ? undefined : await checkImageArgument(argument);
    await this.reveal();
    if (path) await this.addImages([path]);
    else await this.pickImages();
  }

  private post(message: ToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw, (line) => this.host.log.warn(`Alignment explorer: ${line}`), EXPLORER_MESSAGES);
    if (!message) return;
    try {
      await this.handle(message);
    } catch (error) {
      this.host.log.warn(`Alignment explorer: ${errorText(error)}`);
      this.post({ type: Msg.Error, message: errorText(error) });
    }
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case Msg.Ready: return this.post(respond(message.requestId, { body: this.data }));
      case Msg.SetTexts: return this.setTexts(message.labels, message.template);
      case Msg.AddImages: return this.addUris(message.uris);
      case Msg.PickImages: return this.pickImages();
      case Msg.RemoveImage: return this.removeImage(message.index);
      case Msg.LoadManifest: return this.loadManifest();
      case Msg.SelectCell: return this.post(respond(message.requestId, this.pairMaps(message.image, message.text)));
      case Msg.RunProbe: return this.probe();
      case Msg.Cancel: return this.running?.abort();
      case Msg.Export: return answerExport((m) => this.post(m), message, vscode.workspace.workspaceFolders?.[0]?.uri);
      case Msg.AskCell: return this.askCell(message.image, message.text);
    }
  }

  /** Opens the Ask About Image panel on an answer cell's image, asking its prompt there (maps of every word). */
  private askCell(image: number, text: number): void {
    const path = this.data.answers && this.data.images[image]?.path;
    const prompt = this.data.texts[text];
    if (!path || prompt === undefined) return this.post({ type: Msg.Error, message: 'That answer is not in the current set; it may have changed.' });
    openAskPanel(this.host, this.extensionUri, path, prompt);
  }

  private pairMaps(image: number, text: number): { body: PairMaps } | { error: string } {
    const maps = this.result && pairMaps(this.result, image, text);
    return maps ? { body: maps } : { error: 'That pair is not in the current analysis; it may have changed.' };
  }

  private async setTexts(labels: string[], template: string): Promise<void> {
    Object.assign(this.data, { labels, template });
    this.manifest = undefined;
    await this.analyze();
  }

  /** Adds images by path (already checked), skipping ones already present. */
  async addImages(paths: string[]): Promise<void> {
    const fresh = paths.filter((p, i) => !this.data.images.some((image) => image.path === p) && paths.indexOf(p) === i);
    const room = MAX_IMAGES - this.data.images.length;
    if (fresh.length > room) void vscode.window.showWarningMessage(`Multimodal Lens: the explorer holds at most ${MAX_IMAGES} images; ${fresh.length - room} were not added.`);
    for (const path of fresh.slice(0, Math.max(0, room))) {
      try {
        this.data.images.push(await imageEntry(this.host.get(), path));
      } catch (error) {
        this.post({ type: Msg.Error, message: errorText(error) });
      }
    }
    this.manifest = undefined;
    await this.analyze();
  }

  private async addUris(uris: string[]): Promise<void> {
    const paths: string[] = [];
    for (const uri of uris) {
      try {
        paths.push(await checkImageArgument(uri));
      } catch (error) {
        this.post({ type: Msg.Error, message: errorText(error) });
      }
    }
    if (paths.length > 0) await this.addImages(paths);
  }

  private async pickImages(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { Images: [...IMAGE_EXTENSIONS] }, title: 'Add images to the Alignment Explorer', openLabel: 'Add' });
    if (picked) await this.addUris(picked.map((uri) => uri.toString()));
  }

  private async removeImage(index: number): Promise<void> {
    if (index >= this.data.images.length) return;
    this.data.images.splice(index, 1);
    await this.analyze();
  }

  private async loadManifest(): Promise<void> {
    const picked = (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Manifest of image-caption pairs', openLabel: 'Load', filters: { 'Manifests (JSONL, CSV, COCO JSON)': ['jsonl', 'ndjson', 'csv', 'json'] } }))?.[0];
    if (!picked) return;
    try {
      const manifest = await readManifest({ path: picked.fsPath, limit: MANIFEST_PAIRS });
      const images = [...new Set(manifest.pairs.map((p) => p.image))];
      this.data = { ...emptyData(), labels: [...new Set(manifest.pairs.map((p) => p.caption))], images: await Promise.all(images.map((path) => imageEntry(this.host.get(), path))) };
      this.data.texts = [...this.data.labels];
      this.manifest = picked.fsPath;
      await this.analyze();
      if (manifest.missingImages.count > 0) this.post({ type: Msg.Error, message: `${manifest.missingImages.count} rows skipped: image missing (${manifest.missingImages.examples.join('; ')}).` });
    } catch (error) {
      this.post({ type: Msg.Error, message: errorText(error) });
    }
  }

  /** Runs `work` with the view's progress bar and the page's busy line; a newer run cancels an older one. */
  private async run<T>(busy: string, work: (options: LongRunOptions) => Promise<T>): Promise<T | undefined> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.post({ type: Msg.Busy, message: busy });
    try {
      const onProgress: LongRunOptions['onProgress'] = (p) => this.post({ type: Msg.Busy, message: `${busy} ${p.stage} ${p.done}/${p.total}` });
      const out = await vscode.window.withProgress({ location: { viewId: EXPLORER_VIEW_ID } }, () => work({ signal: controller.signal, onProgress }));
      return controller.signal.aborted ? undefined : out;
    } catch (error) {
      if (!(error instanceof LensError && error.kind === 'cancelled')) {
        this.host.log.warn(errorText(error));
        this.post({ type: Msg.Error, message: errorText(error) });
      }
      return undefined;
    } finally {
      if (this.running === controller) {
        this.running = undefined;
        this.post({ type: Msg.Busy, message: null });
      }
    }
  }

  private async analyze(): Promise<void> {
    this.result = undefined;
    Object.assign(this.data, { matrix: null, probe: null, answers: null });
    const { images, labels, template } = this.data;
    // The page shows the new set at once, without the old set's scores, which no longer describe it.
    this.post({ type: Msg.Data, data: this.data });
    if (images.length === 0 || labels.length === 0) return this.running?.abort();
    const description = await this.run('Loading the model...', (options) => this.host.get().describeModel(undefined, options));
    if (description?.family === 'generative') return this.answer();
    if (!description) return;
    // Texts through the template again: answers took the labels as typed.
    const texts = (this.data.texts = labels.map((label) => applyTemplate(label, template)));
    const result = await this.run(`Analyzing ${images.length} x ${texts.length}...`, (options) => this.host.get().analyze({ images: images.map((i) => i.path), texts }, options));
    if (!result) return;
    this.host.observe(result.model);
    this.result = result;
    this.data.model = modelInfo(result);
    this.data.matrix = scoreMatrix(result);
    this.post({ type: Msg.Data, data: this.data });
    // The probe is what reports cross-modal attention, which needs attention over one joint sequence.
    if (result.model.tokenLayout && (this.manifest || Math.min(images.length, texts.length) >= 2)) await this.probe();
  }

  /** A generative model's answers: each label as typed is a prompt (a template means nothing to it), asked of each image. */
  private async answer(): Promise<void> {
    const { images, labels } = this.data;
    const answers: (string | null)[][] = images.map(() => labels.map(() => null));
    Object.assign(this.data, { texts: [...labels], answers });
    this.post({ type: Msg.Data, data: this.data });
    await this.run(`Answering ${labels.length} prompt(s) about ${images.length} image(s)...`, (options) => answerGrid((request, o) => this.host.get().generate(request, o), images.map((i) => i.path), labels, options, (image, text, result) => {
      if (this.data.answers !== answers) return;
      answers[image][text] = result.answer;
      this.data.model = modelInfo(result);
      // The first answer brings the model's facts with the whole set; each later one travels alone.
      if (image + text === 0) this.post({ type: Msg.Data, data: this.data });
      else this.post({ type: Msg.CellAnswer, image, text, answer: result.answer });
    }));
  }

  /** The fusion probes over the manifest the set came from, or over the pairs image i with text i. */
  private async probe(): Promise<void> {
    const { images, texts } = this.data;
    if (this.data.answers) return this.post({ type: Msg.Error, message: 'The fusion probes score image-text pairs, which a generative model does not: choose a scoring model (Multimodal Lens: Select Model...) to run them.' });
    if (!this.manifest && Math.min(images.length, texts.length) < 2) {
      return this.post({ type: Msg.Error, message: 'The fusion probes need at least two pairs: add as many texts as images (text i describes image i), or load a manifest.' });
    }
    const folder = this.manifest ? undefined : await mkdtemp(join(tmpdir(), 'mmlens-explorer-'));
    try {
      const path = this.manifest ?? join(folder!, 'pairs.jsonl');
      if (folder) await writeFile(path, pairsManifest(images.map((i) => i.path), texts));
      const probe = await this.run('Running the fusion probes...', (options) => this.host.get().probe({ manifest: { path } }, options));
      if (!probe) return;
      this.data.probe = probe;
      this.post({ type: Msg.Probe, probe });
    } finally {
      if (folder) await rm(folder, { recursive: true, force: true });
    }
  }
}
