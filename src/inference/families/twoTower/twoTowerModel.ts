/**
 * The two-tower adapter (CLIP and SigLIP): a vision graph and a text graph, each tapped for attention;
 * the vision graph also gets dense patch embeddings (its own final norm and projection applied to every
 * token of the last hidden state, and to the last layer's value path). Many images and texts per call, batched.
 * What the two families name and pad differently is in towerConventions.ts, their logit scale and bias in
 * towerLogits.ts.
 * The service's tasks are in the files beside this one (analyse, probe, scoring, inspect).
 */
import type { Tensor } from 'onnxruntime-node';
import type { ScoreBatch } from '../../../analysis/perturbation/perturbation';
import type { PairKeys } from '../../../analysis/probes/retrieval';
import type { DetailedAnalysisResult } from '../../../shared/attentionDetails';
import type { HeadStream } from '../../../shared/headImportance';
import type { PreparedRequest } from '../../tasks/analysisParts';
import type { HeadAblationTarget } from '../../tasks/headImportance';
import type { InspectResult } from '../../tasks/inspect';
import type { PairPerturbation } from '../../tasks/pairPerturbation';
import type { PerturbationScoreKind } from '../../tasks/perturbationScores';
import type { ProbeImages } from '../../tasks/probeImages';
import type { ProbeRun } from '../../tasks/probeParts';
import type { Stopwatch } from '../../tasks/stopwatch';
import type { PromptScores } from '../../tasks/zeroShot';
import type { Availability, ModelAdapter, ModelCapabilities } from '../adapter';
import { analyzeTwoTower } from './analyzeTwoTower';
import { towerHeadAblation } from './headAblation';
import { inspectTwoTower } from './inspectTwoTower';
import { probeTwoTower } from './probeTwoTower';
import { embeddingScores, towerPairScore, towerScore, towerScoreKind } from './scoring';
import { checkImageSize, fixedDim, findInput, isIdsInput, isPixelInput } from '../../runtime/graphInputs';
import { chunkSize, floatData, intTensor, outputNamed } from '../../runtime/graphIo';
import { blankInputSize, type ModelFolder } from '../../model/modelFolder';
import { findHiddenState, findProjectionHead, planDenseProjection } from '../../onnx/surgery';
import { planValuePath, type ValuePathVariant } from '../../onnx/valuePath';
import { planLayerLens } from '../../onnx/layerLens';
import type { OnnxValueInfo } from '../../onnx/onnxTypes';
import type { PreprocessedImage } from '../../images/preprocess';
import type { Size2D } from '../../model/preprocessorConfig';
import type { LongRunOptions } from '../../../core/progress';
import { loadOrt, type OpenSession, type OrtModule, type SessionCache } from '../../runtime/sessions';
import { TappedGraph, type LayerAttention } from '../../runtime/tappedGraph';
import { loadTokenizer, type EncodedBatch, type TextTokenizer } from '../../model/tokenize';
import { runInChunks } from '../../runtime/batching';
import { towerConventions, type TowerConventions } from './towerConventions';
import { towerLogits, type TowerLogits } from './towerLogits';
import { loadTowerGraphs, standInFeeds } from './towerGraphs';

/** Embeddings (items x dim) and per-layer attention of one tower for a batch of items. */
export interface TowerOutput {
  embeds: Float32Array;
  dim: number;
  attention: LayerAttention[];
}

/**
 * The vision tower's output. `dense` (last-layer tokens), `maskclip`, `values` and `clearclip` (the last layer
 * without its query-key mixing, with or without the rest of the layer: ../../onnx/valuePath) are items x tokens x
 * dim in the joint space, each when the graph allows. `pooling` is the
 * attention-pooling head's probe attention (SigLIP), items x heads x tokens, when the graph has one.
 */
export interface VisionOutput extends TowerOutput {
  dense?: Float32Array;
  maskclip?: Float32Array;
  values?: Float32Array;
  clearclip?: Float32Array;
  pooling?: { heads: number; data: Float32Array };
  /** With `lens`: every layer's tokens through the head (../../onnx/layerLens), each items x tokens x dim. */
  lens?: Float32Array[];
  tokens: number;
}

/** Extra vision outputs: their tensor names when planned, else why not; `lens` one per layer, computed only when asked. */
type DenseOutputs = Record<DenseKind, { output?: string; reason?: string }> & { lens: { outputs?: string[]; reason?: string } };

/** The dense outputs a vision tower may have, as VisionOutput names them, in the order they are planned. */
type DenseKind = 'dense' | ValuePathVariant;
const DENSE_KINDS: readonly DenseKind[] = ['dense', 'maskclip', 'values', 'clearclip'];

/** The text tower's output with the batch it encoded. */
export interface TextOutput extends TowerOutput {
  batch: EncodedBatch;
}

/** A loaded two-tower model. */
export class TwoTowerModel implements ModelAdapter {
  readonly family = 'twoTower';
  readonly capabilities: ModelCapabilities;
  /** Whether the vision tower's layer lens can be computed (`encodeImages` with `lens`), or why not. */
  readonly layerLens: Availability;

  private constructor(
    readonly folder: ModelFolder,
    readonly vision: TappedGraph,
    readonly text: TappedGraph,
    /** Both towers are views of one graph (Optimum's model.onnx): each run feeds the other's inputs stand-ins. */
    readonly oneGraph: boolean,
    readonly tokenizer: TextTokenizer,
    readonly conventions: TowerConventions,
    readonly logits: TowerLogits,
    private readonly denseOutputs: DenseOutputs,
    private readonly sessions: { vision: OpenSession; text: OpenSession },
  ) {
    const { dense, maskclip, clearclip } = denseOutputs;
    // MaskCLIP and the values alone need the same of the graph (planValuePath), so either stands for both.
    this.capabilities = {
      similarity: true, imageTextMatching: false, generation: false, attention: 'towers', denseMaps: availability(dense),
      valuePath: availability(maskclip), queryQueryPath: availability(clearclip), probes: { available: true },
    };
    this.layerLens = availability(denseOutputs.lens);
  }

  /** Loads both graphs, plans taps and dense embeddings, and opens sessions through `cache`. */
  static async open(folder: ModelFolder, cache: SessionCache): Promise<TwoTowerModel> {
    const conventions = towerConventions(folder.config.modelType);
    const { vision, text, oneGraph } = await loadTowerGraphs(folder);
    // A one-graph export is already read; beside the towers, towerLogits reads the one graph's structure itself.
    const logits = await towerLogits(folder, oneGraph ? vision.graph : undefined);
    folder.notes.push(...logits.notes);
    const denseOutputs = planDenseOutputs(vision, conventions);
    const [visionSession, textSession] = await Promise.all([vision.open(cache, vision.file), text.open(cache, text.file)]);
    return new TwoTowerModel(folder, vision, text, oneGraph, loadTokenizer(folder), conventions, logits, denseOutputs, { vision: visionSession, text: textSession });
  }

  /** The providers that run the towers (one name when both agree). */
  get executionProvider(): string {
    const { vision, text } = this.sessions;
    return vision.provider === text.provider ? vision.provider : `${vision.provider} (vision), ${text.provider} (text)`;
  }

  /** Both towers on every image and text: similarity, probabilities, rollout and alignment maps. */
  analyze(request: PreparedRequest, stopwatch: Stopwatch, options?: LongRunOptions): Promise<DetailedAnalysisResult> {
    return analyzeTwoTower(this, request, stopwatch, options);
  }

  /** CLIP's zero-shot scoring over prompt embeddings ensembled per label. */
  zeroShotScores(images: PreprocessedImage[], prompts: string[], labels: number, templates: number, options: LongRunOptions = {}): Promise<PromptScores> {
    return embeddingScores(this, images, prompts, labels, templates, options);
  }

  /** The set's images and captions embedded once each, their cosines and the geometry of the joint space. */
  probe(images: ProbeImages, captions: string[], keys: PairKeys, stopwatch: Stopwatch, options?: LongRunOptions): Promise<ProbeRun> {
    return probeTwoTower(this, images, captions, keys, stopwatch, options);
  }

  /** The vision tower's patch grid (whole patches of the input). */
  perturbationGrid(size: Size2D): { rows: number; cols: number } {
    const { patchSize } = this.folder.config.vision;
    return { rows: Math.floor(size.height / patchSize), cols: Math.floor(size.width / patchSize) };
  }

  /** The probability among the texts when it can vary, else the cosine. */
  defaultScoreKind(texts: number): PerturbationScoreKind {
    return towerScoreKind(this, texts);
  }

  /** Cosine or probability of text `text` for batches of perturbed copies of `image`. */
  perturbationScore(image: PreprocessedImage, texts: string[], text: number, kind: PerturbationScoreKind): Promise<ScoreBatch> {
    return towerScore(this, image, texts, text, kind);
  }

  /** The cosine similarity of pairs of perturbed copies of `image` and edited token ids of `text`. */
  pairPerturbationScore(image: PreprocessedImage, text: string): Promise<PairPerturbation> {
    return towerPairScore(this, image, text);
  }

  /** The cosine of `image` and `text` as a function of a mask over one tower's heads (the vision tower's by default; headAblation.ts). */
  headAblation(image: PreprocessedImage, text: string, stream: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
    return towerHeadAblation(this, image, text, stream, cache);
  }

  /** Both towers run once for their taps' shapes, the patch grid and the anatomy. */
  inspect(notices: string[]): Promise<InspectResult> {
    return inspectTwoTower(this, notices);
  }

  /** Runs the vision tower on preprocessed images of equal size; with `lens`, every layer's lens too. */
  async encodeImages(images: PreprocessedImage[], options: LongRunOptions & { lens?: boolean } = {}): Promise<VisionOutput> {
    const ort = await loadOrt();
    const input = findInput(this.vision.file, this.vision.graph.inputs, 'pixel_values', isPixelInput, 'pixel (float, rank 4)');
    const embedsName = this.outputName(this.vision, 'imageEmbeds');
    const { height, width } = images[0].outputSize;
    checkImageSize(this.vision.file, input, images[0].outputSize);
    const plane = 3 * height * width;
    const lensNames = this.denseOutputs.lens.outputs ?? [];
    const wanted = options.lens ? lensNames : [];
    const result = await runInChunks(images.length, chunkSize(input), 'vision', async (start, end) => {
      const pixels = new Float32Array((end - start) * plane);
      images.slice(start, end).forEach((img, i) => pixels.set(img.pixels, i * plane));
      const feeds = this.withStandIns(ort, this.vision, { [input.name]: new ort.Tensor('float32', pixels, [end - start, 3, height, width]) });
      const { outputs, attention, pooling } = await this.vision.run(this.sessions.vision, feeds, end - start, new Set(lensNames.filter((n) => !wanted.includes(n))));
      const floats: Record<string, Float32Array> = { embeds: floatData(outputs, embedsName, this.vision.file) };
      for (const key of DENSE_KINDS) {
        const name = this.denseOutputs[key].output;
        if (name) floats[key] = floatData(outputs, name, this.vision.file);
      }
      wanted.forEach((name, layer) => (floats[`lens${layer}`] = floatData(outputs, name, this.vision.file)));
      if (pooling[0]) floats.pooling = pooling[0].data;
      return { floats, attention };
    }, options);
    const { embeds, dense, maskclip, values, clearclip, pooling } = result.floats;
    const dim = embeds.length / images.length;
    const tokens = dense ? dense.length / images.length / dim : result.attention[0]?.queries ?? 0;
    const poolingHeads = pooling && pooling.length / images.length / tokens;
    const lens = wanted.length > 0 ? wanted.map((_, layer) => result.floats[`lens${layer}`]) : undefined;
    return { embeds, dim, dense, maskclip, values, clearclip, tokens, attention: result.attention, ...(poolingHeads && { pooling: { heads: poolingHeads, data: pooling } }), ...(lens && { lens }) };
  }

  /**
   * image_embeds (count x dim) of `count` pixel tensors of `size` laid one after another (already
   * preprocessed and normalised), without taps or dense outputs: the perturbation analyses' forward passes.
   */
  async embedPixels(pixels: Float32Array, count: number, size: Size2D): Promise<Float32Array> {
    const ort = await loadOrt();
    const input = findInput(this.vision.file, this.vision.graph.inputs, 'pixel_values', isPixelInput, 'pixel (float, rank 4)');
    const embedsName = this.outputName(this.vision, 'imageEmbeds');
    const plane = 3 * size.height * size.width;
    const result = await runInChunks(count, fixedDim(input, 0) ?? count, 'vision', async (start, end) => {
      const feeds = this.withStandIns(ort, this.vision, { [input.name]: new ort.Tensor('float32', pixels.subarray(start * plane, end * plane), [end - start, 3, size.height, size.width]) });
      const outputs = await this.vision.fetch(this.sessions.vision, feeds, [embedsName]);
      return { floats: { embeds: floatData(outputs, embedsName, this.vision.file) }, attention: [] };
    });
    return result.floats.embeds;
  }

  /** Tokenises and runs the text tower. */
  async encodeTexts(texts: string[], options: LongRunOptions = {}): Promise<TextOutput> {
    const batch = await this.tokenizeTexts(texts, options.signal);
    const { embeds, attention } = await this.runTextBatch(batch, true, options);
    return { embeds, dim: embeds.length / texts.length, attention, batch };
  }

  /** `texts` tokenised and padded as the text tower takes them (to its fixed length, or SigLIP's max length). */
  tokenizeTexts(texts: string[], signal?: AbortSignal): Promise<EncodedBatch> {
    const idsInput = findInput(this.text.file, this.text.graph.inputs, 'input_ids', isIdsInput, 'token ids (integer, rank 2)');
    const padTo = fixedDim(idsInput, 1) ?? (this.conventions.padToMaxLength ? this.tokenizer.maxLength : undefined);
    return this.tokenizer.encodeBatchAsync(texts, { padTo, signal });
  }

  /** Runs the text tower on an encoded batch: the embeddings, and the taps' attention when `attention` is set. */
  async runTextBatch(batch: EncodedBatch, attention: boolean, options: LongRunOptions = {}): Promise<{ embeds: Float32Array; attention: LayerAttention[] }> {
    const ort = await loadOrt();
    const inputs = this.text.graph.inputs;
    const idsInput = findInput(this.text.file, inputs, 'input_ids', isIdsInput, 'token ids (integer, rank 2)');
    const maskInput = inputs.find((i) => i.name === 'attention_mask');
    const embedsName = this.outputName(this.text, 'textEmbeds');
    const length = batch.length;
    const result = await runInChunks(batch.items.length, chunkSize(idsInput), 'text', async (start, end) => {
      const rows = (data: BigInt64Array, input: OnnxValueInfo) => intTensor(ort, data.subarray(start * length, end * length), input, [end - start, length]);
      const feeds = this.withStandIns(ort, this.text, { [idsInput.name]: rows(batch.ids, idsInput), ...(maskInput && { [maskInput.name]: rows(batch.attentionMask, maskInput) }) });
      const run = attention ? await this.text.run(this.sessions.text, feeds, end - start) : { outputs: await this.text.fetch(this.sessions.text, feeds, [embedsName]), attention: [] };
      return { floats: { embeds: floatData(run.outputs, embedsName, this.text.file) }, attention: run.attention };
    }, options);
    return { embeds: result.floats.embeds, attention: result.attention };
  }

  /** The embeddings output of `graph` as this family names it, or a badModel error listing the outputs there are. */
  outputName(graph: TappedGraph, role: 'imageEmbeds' | 'textEmbeds'): string {
    return outputNamed(graph, this.conventions[role], this.conventions.exportAdvice);
  }

  /** `feeds`, with stand-ins for the other tower's inputs when both towers are one graph. */
  withStandIns(ort: OrtModule, graph: TappedGraph, feeds: Record<string, Tensor>): Record<string, Tensor> {
    if (!this.oneGraph) return feeds;
    return { ...feeds, ...standInFeeds(ort, graph, feeds, blankInputSize(this.folder), this.tokenizer.eosId ?? this.tokenizer.padId) };
  }
}

/**
 * Plans the dense outputs (patch tokens, the three value paths and every layer's lens, through the model's own head) and
 * adds them to `vision`.
 */
function planDenseOutputs(vision: TappedGraph, conventions: TowerConventions): DenseOutputs {
  const unavailable = (reason: string): DenseOutputs => ({ dense: { reason }, maskclip: { reason }, values: { reason }, clearclip: { reason }, lens: { reason } });
  if (conventions.noProjectionHead) return unavailable(conventions.noProjectionHead);
  const embeds = outputNamed(vision, conventions.imageEmbeds, conventions.exportAdvice);
  // A one-graph export has no vision last_hidden_state output: the state its CLS token is selected from serves.
  const hidden = vision.graph.outputs.some((o) => o.name === 'last_hidden_state') ? 'last_hidden_state' : findHiddenState(vision.graph, embeds);
  if (!hidden) return unavailable(`no CLS selection (hidden[:, 0, :]) leads to ${embeds}`);
  const { head, reason } = findProjectionHead(vision.graph, embeds, hidden);
  if (!head) return unavailable(reason);
  const valuePath = (variant: ValuePathVariant) => planValuePath(vision.graph, vision.taps, head, hidden, variant);
  const plans = { dense: planDenseProjection(vision.graph, embeds, hidden), maskclip: valuePath('maskclip'), values: valuePath('values'), clearclip: valuePath('clearclip') };
  const dense = Object.fromEntries(DENSE_KINDS.map((key) => {
    const { plan, reason: why } = plans[key];
    if (plan) vision.add({ outputs: [plan.output], nodes: plan.nodes });
    return [key, plan ? { output: plan.output } : { reason: why }];
  })) as Record<DenseKind, { output?: string; reason?: string }>;
  const lens = planLayerLens(vision.graph, vision.taps, head);
  if (lens.plan) vision.add({ outputs: lens.plan.outputs, nodes: lens.plan.nodes });
  return { ...dense, lens: lens.plan ? { outputs: lens.plan.outputs } : { reason: lens.reason } };
}

function availability(output: { reason?: string }): Availability {
  return output.reason === undefined ? { available: true } : { available: false, reason: output.reason };
}

/** `model` as a two-tower model, for tools that measure its towers directly (the benchmarks), or undefined. */
export function asTwoTower(model: ModelAdapter): TwoTowerModel | undefined {
  return model instanceof TwoTowerModel ? model : undefined;
}
