/**
 * The inference service: what the CLI and the extension call. It loads model folders, keeps their sessions
 * (per folder and execution provider) until released, preprocesses the inputs and returns typed results.
 */
import { resolve } from 'node:path';
import { architectureLabel, type AlignmentMethod } from '../shared/analysisResult';
import type { GenerationResult } from '../shared/generationResult';
import type { GenerateOptions, GenerateRequest } from './tasks/generateRequest';
import type { ProbeResult } from '../shared/probeResult';
import type { DetailedAnalysisResult } from '../shared/attentionDetails';
import type { PreparedRequest } from './tasks/analysisParts';
import type { AttentionDetailOptions } from './tasks/attentionDetails';
import { badInput } from '../core/errors';
import type { ExecutionProviderSetting } from './runtime/executionProvider';
import type { ModelAdapter } from './families/adapter';
import { openAdapter } from './families/registry';
import { loadModelFolder } from './model/modelFolder';
import type { ModelVariant } from './model/onnxFiles';
import { preprocessImage, type PreprocessOptions } from './images/preprocess';
import { throwIfCancelled, type LongRunOptions } from '../core/progress';
import { SessionCache } from './runtime/sessions';
import { Stopwatch } from './tasks/stopwatch';
import type { InspectResult } from './tasks/inspect';
import { readManifest } from './datasets/manifest';
import type { PageAttentionRequest } from './tasks/packAttention';
import { headImportance } from './tasks/headImportance';
import type { HeadImportanceResult, HeadStream } from '../shared/headImportance';
import { perturbationTarget, type PerturbationRequest, type PerturbationTarget } from './tasks/perturbationScores';
import { probesUnavailable, runProbe, type ProbeRequest } from './tasks/probe';
import { classifyZeroShot, type ZeroShotRequest, type ZeroShotResult } from './tasks/zeroShot';

/** An analysis request: images by path, texts, and the model folder (the default model when omitted). */
export interface AnalyzeRequest extends AttentionDetailOptions {
  modelDir?: string;
  images: string[];
  texts: string[];
  includeAttention?: boolean;
  /** For a page (panel, HTML report): the head grid's attention packed into `pageAttention` (tasks/packAttention.ts). */
  pageAttention?: PageAttentionRequest;
  /** Two-tower models: patch tokens, MaskCLIP, the values alone or ClearCLIP for the alignment maps; default DEFAULT_ALIGNMENT. */
  alignment?: AlignmentMethod;
  /** Two-tower models: `lens`, every vision layer's scores and alignment maps through the model's own head. */
  lens?: boolean;
}

/** A head ablation request: one image, one text, whose layers' heads are ablated (the family's default when absent), and the model folder. */
export interface HeadImportanceRequest {
  modelDir?: string;
  image: string;
  text: string;
  stream?: HeadStream;
}

/** A generation request: image paths, the prompt and decoding settings, and the model folder (the default model when omitted). */
export interface GenerationRequest extends Omit<GenerateRequest, 'images'> {
  modelDir?: string;
  images: string[];
}

/** Service settings. */
export interface ServiceOptions {
  executionProvider: ExecutionProviderSetting;
  /** The folder used when a request names none (the bundled demo model). */
  defaultModelDir: string;
  /** Refuse images with more pixels than this (decompression bombs). */
  maxImagePixels?: PreprocessOptions['maxPixels'];
  /** A folder for onnxruntime's optimized models, so later sessions start warm; none: every session is cold. */
  cacheDir?: string;
  /** Which of a folder's graph variants to run (`_fp16`, `_quantized`, ...); default fp32. */
  modelVariant?: ModelVariant;
}

/** Runs analyses; one instance per extension host or CLI run. Call `dispose` to release sessions. */
export class InferenceService {
  private readonly sessions: SessionCache;
  private readonly models = new Map<string, Promise<ModelAdapter>>();

  /** @param options execution provider, default model and limits */
  constructor(private readonly options: ServiceOptions) {
    this.sessions = new SessionCache(options.executionProvider, { cacheDir: options.cacheDir });
  }

  /** Loads (or returns the cached) model of `dir`. */
  model(dir = this.options.defaultModelDir): Promise<ModelAdapter> {
    const key = resolve(dir);
    let model = this.models.get(key);
    if (!model) {
      model = loadModelFolder(key, this.options.modelVariant).then((folder) => openAdapter(folder, this.sessions));
      model.catch(() => this.models.delete(key));
      this.models.set(key, model);
    }
    return model;
  }

  /** Analyses every image with every text, with whichever adapter the model folder needs. */
  async analyze(request: AnalyzeRequest, options: LongRunOptions = {}): Promise<DetailedAnalysisResult> {
    if (request.images.length === 0) throw badInput('No image given.', 'Give at least one image.');
    if (request.texts.length === 0) throw badInput('No text given.', 'Give at least one text.');
    const stopwatch = new Stopwatch();
    const model = await stopwatch.time('load', () => this.model(request.modelDir));
    const images = await stopwatch.time('preprocess', () => this.preprocess(request.images, model, options.signal));
    const { headStats, textAttention, rollout, flow } = request;
    const prepared: PreparedRequest = { images, texts: request.texts, includeAttention: request.includeAttention ?? false, pageAttention: request.pageAttention, alignment: request.alignment, lens: request.lens, headStats, textAttention, rollout, flow };
    const result = await model.analyze(prepared, stopwatch, options);
    if (flow && result.attentionObservable && !result.maps.flow) result.model.notices.push(`Attention flow is not computed for ${model.family} models yet; the rollout is.`);
    if (request.lens && model.family !== 'twoTower') result.model.notices.push(`The layer lens is for two-tower models (a vision tower with its own projection head); this is a ${model.family} model.`);
    result.model.notices = this.notices(model, result.model.notices, images);
    if (model.folder.mapFaithfulness) result.model.mapFaithfulness = model.folder.mapFaithfulness;
    this.addFallbacks(result.model);
    result.timings = stopwatch.timings;
    return result;
  }

  /** Zero-shot classification of images over labels (`mmlens zeroshot`, docs/cli.md). */
  async zeroShot(request: ZeroShotRequest, options: LongRunOptions = {}): Promise<ZeroShotResult> {
    if (request.images.length === 0) throw badInput('No image given.', 'Give at least one image.');
    const model = await this.model(request.modelDir);
    const images = await this.preprocess(request.images, model, options.signal);
    const result = await classifyZeroShot(model, images, request, options);
    result.model.notices = this.notices(model, result.model.notices, images);
    this.addFallbacks(result.model);
    return result;
  }

  /** The auto setting's expected provider fallbacks, on a result's model, when there were any. */
  private addFallbacks(model: { fallbacks?: string[] }): void {
    if (this.sessions.fallbacks.length > 0) model.fallbacks = [...this.sessions.fallbacks];
  }

  /** Every notice a result carries: providers, then the model folder, the adapter's own, the images'. */
  private notices(model: ModelAdapter, own: string[], images: PreparedRequest['images'] = []): string[] {
    return [...this.sessions.notices, ...model.folder.notes, ...own, ...imageNotes(images)];
  }

  private async preprocess(paths: string[], model: ModelAdapter, signal?: AbortSignal): Promise<PreparedRequest['images']> {
    const out = [];
    for (const path of paths) {
      throwIfCancelled(signal);
      const maxPixels = this.options.maxImagePixels;
      out.push({ path, image: await (model.preprocessImage ? model.preprocessImage(path, maxPixels) : preprocessImage(path, model.folder.preprocessor, { maxPixels })) });
    }
    return out;
  }

  /** Runs the retrieval and fusion probes over a manifest of image-caption pairs (probe.ts). */
  async probe(request: ProbeRequest, options: LongRunOptions = {}): Promise<ProbeResult> {
    const stopwatch = new Stopwatch();
    const model = await stopwatch.time('load', () => this.model(request.modelDir));
    if (!model.capabilities.probes.available) throw probesUnavailable(model);
    const manifest = await stopwatch.time('manifest', () => readManifest(request.manifest, options));
    const result = await runProbe(model, manifest, { ...request, maxPixels: this.options.maxImagePixels }, stopwatch, options);
    result.model.notices = this.notices(model, result.model.notices);
    this.addFallbacks(result.model);
    result.timings = stopwatch.timings;
    return result;
  }

  /**
   * One image and text prepared for occlusion, RISE and deletion/insertion curves (src/analysis): the
   * model's pixels and patch grid, grey and blur fills, and a batched scoring function.
   */
  async perturbation(request: PerturbationRequest): Promise<PerturbationTarget> {
    const model = await this.model(request.modelDir);
    const image = await preprocessImage(request.image, model.folder.preprocessor, { maxPixels: this.options.maxImagePixels });
    return perturbationTarget(model, image, request);
  }

  /** The score drop of one image-text pair when each head, or each layer's heads, is masked (`mmlens heads`, docs/cli.md). */
  async headImportance(request: HeadImportanceRequest, options: LongRunOptions = {}): Promise<HeadImportanceResult> {
    const model = await this.model(request.modelDir);
    const [image] = await this.preprocess([request.image], model, options.signal);
    const result = await headImportance(model, image, request.text, request.stream, this.sessions, options);
    result.model.notices = this.notices(model, result.model.notices, [image]);
    this.addFallbacks(result.model);
    return result;
  }

  /** Writes an answer about images with a generative model, with each token's attention (`mmlens generate`, docs/cli.md). */
  async generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    if (request.images.length === 0) throw badInput('No image given.', 'Give at least one image.');
    const model = await this.model(request.modelDir);
    if (!model.generate) {
      throw badInput(`${model.folder.name} is a ${architectureLabel(model.family)} model, which scores image-text pairs and does not write text.`, 'Choose a generative model (LLaVA-style, in transformers.js\'s layout) for mmlens generate.');
    }
    const images = await this.preprocess(request.images, model, options.signal);
    const result = await model.generate({ ...request, images }, options);
    result.model.notices = this.notices(model, result.model.notices, images);
    this.addFallbacks(result.model);
    return result;
  }

  /** Describes a model folder: graphs, inputs and outputs, attention taps and what cannot be observed. */
  async inspect(modelDir?: string): Promise<InspectResult> {
    const model = await this.model(modelDir);
    const notices = this.notices(model, []);
    const result = await model.inspect(notices);
    this.addFallbacks(result.model);
    return result;
  }

  /** Releases every session and forgets loaded models. */
  async dispose(): Promise<void> {
    this.models.clear();
    await this.sessions.release();
  }
}

function imageNotes(images: PreparedRequest['images']): string[] {
  return images.flatMap(({ path, image }) => image.notes.map((note) => `${path}: ${note}`));
}
