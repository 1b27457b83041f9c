/**
 * The cross-attention matcher adapter (BLIP's image-text matching, as Hugging Face's BlipForImageTextRetrieval
 * computes it): one graph takes token ids, their mask and pixels; an image encoder's tokens are read by a text
 * encoder whose every layer attends among the text tokens, then from them to the image tokens (one-way
 * cross-attention), and an ITM head on the first text token scores the pair. Every image x text pair is one batch
 * item; the taps are sorted into the three streams (onnx/taps.ts `streamTaps`). The service's tasks are in the files
 * beside this one (analyse, inspect) and in tasks/pairMatching.ts (pairs, zero-shot, perturbation scores).
 */
import type { ScoreBatch } from '../../../analysis/perturbation/perturbation';
import type { LongRunOptions } from '../../../core/progress';
import type { DetailedAnalysisResult } from '../../../shared/attentionDetails';
import type { HeadStream } from '../../../shared/headImportance';
import type { PreprocessedImage } from '../../images/preprocess';
import type { ModelFolder } from '../../model/modelFolder';
import type { Size2D } from '../../model/preprocessorConfig';
import { loadTokenizer, type EncodedBatch, type TextTokenizer } from '../../model/tokenize';
import { streamTaps, type StreamTaps } from '../../onnx/taps';
import { fixedDim } from '../../runtime/graphInputs';
import { outputNamed } from '../../runtime/graphIo';
import type { OpenSession, SessionCache } from '../../runtime/sessions';
import { TappedGraph, type LayerAttention } from '../../runtime/tappedGraph';
import type { PreparedRequest } from '../../tasks/analysisParts';
import type { HeadAblationTarget } from '../../tasks/headImportance';
import type { InspectResult } from '../../tasks/inspect';
import { itmPairScore, itmScore, pairInputs, promptMatchScores, runPairs, type PairInputs, type PairRunOptions, type PairScores } from '../../tasks/pairMatching';
import { specialIdsOf, type PairPerturbation } from '../../tasks/pairPerturbation';
import type { PerturbationScoreKind } from '../../tasks/perturbationScores';
import type { ProbeRun } from '../../tasks/probeParts';
import { probesUnavailable } from '../../tasks/probe';
import type { MaskableMatcher } from '../../tasks/pairHeadAblation';
import type { Stopwatch } from '../../tasks/stopwatch';
import type { PromptScores } from '../../tasks/zeroShot';
import type { ModelAdapter, ModelCapabilities } from '../adapter';
import { analyzeCrossAttention } from './analyzeCrossAttention';
import { crossHeadAblation } from './headAblation';
import { inspectCrossAttention } from './inspectCrossAttention';

/** A pair run's attention by stream, each layer [pairs, heads, queries, keys]. */
export interface StreamAttention {
  vision: LayerAttention[];
  text: LayerAttention[];
  /** Text tokens (queries) to image tokens (keys). */
  cross: LayerAttention[];
}

const ITM_OUTPUTS = ['itm_score', 'logits'];

/** What a cross-attention matcher can do: match pairs; its text-to-image map is its cross-attention, not an embedding. */
const CAPABILITIES: ModelCapabilities = {
  similarity: false,
  imageTextMatching: true,
  generation: false,
  attention: 'joint',
  denseMaps: { available: false, reason: 'a cross-attention matcher has no joint embedding space; its per-text maps are its cross-attention from the text tokens to the image' },
  valuePath: { available: false, reason: 'a cross-attention matcher has no image-only value path into a joint space' },
  probes: { available: false, reason: 'they are not written for cross-attention matchers such as BLIP yet; analyze, zero-shot and occlusion are' },
};

/** A loaded cross-attention matcher. */
export class CrossAttentionModel implements ModelAdapter, MaskableMatcher {
  readonly family = 'crossAttention';
  readonly capabilities = CAPABILITIES;
  /** Ids the tokenizer puts around every text ([CLS], [SEP]); per-text maps leave them out. */
  readonly specialIds: ReadonlySet<number>;

  private constructor(
    readonly folder: ModelFolder,
    readonly graph: TappedGraph,
    readonly tokenizer: TextTokenizer,
    readonly streams: StreamTaps,
    /** The graph inputs a pair is fed. */
    readonly inputs: PairInputs,
    /** The matching head's output. */
    readonly itmOutput: string,
    private readonly session: OpenSession,
  ) {
    this.specialIds = specialIdsOf(tokenizer);
  }

  /** Loads the graph, sorts its taps into streams and opens a tapped session. */
  static async open(folder: ModelFolder, cache: SessionCache): Promise<CrossAttentionModel> {
    const graph = await TappedGraph.load(folder.files.joint!);
    const inputs = pairInputs(graph, 'a cross-attention matcher', 'Export BlipForImageTextRetrieval with input_ids, attention_mask and pixel_values inputs and its itm_score output.');
    const itmOutput = outputNamed(graph, ITM_OUTPUTS, 'Export the matcher with its image-text matching head, `itm_score` [batch, 2] (index 1 = match).');
    const session = await graph.open(cache, graph.file);
    return new CrossAttentionModel(folder, graph, loadTokenizer(folder), streamTaps(graph.graph, graph.taps, inputs.ids.name), inputs, itmOutput, session);
  }

  /** The provider that runs the graph. */
  get executionProvider(): string {
    return this.session.provider;
  }

  /** Every image x text pair: ITM scores, the vision rollout and the cross-attention maps. */
  analyze(request: PreparedRequest, stopwatch: Stopwatch, options?: LongRunOptions): Promise<DetailedAnalysisResult> {
    return analyzeCrossAttention(this, request, stopwatch, options);
  }

  /** Each label's prompts matched with the image, the probability averaged over the templates. */
  zeroShotScores(images: PreprocessedImage[], prompts: string[], labels: number, templates: number, options: LongRunOptions = {}): Promise<PromptScores> {
    return promptMatchScores(this, images, prompts, labels, templates, options);
  }

  /** Not offered (capabilities.probes says why; the service checks it before reading a manifest). */
  probe(): Promise<ProbeRun> {
    return Promise.reject(probesUnavailable(this));
  }

  /** The vision encoder's patch grid. */
  perturbationGrid(size: Size2D): { rows: number; cols: number } {
    const { patchSize } = this.folder.config.vision;
    return { rows: Math.floor(size.height / patchSize), cols: Math.floor(size.width / patchSize) };
  }

  /** The matching probability, the one score a matcher gives. */
  defaultScoreKind(): PerturbationScoreKind {
    return 'itm';
  }

  /** The matching probability of `texts[text]` for batches of perturbed copies of `image`. */
  async perturbationScore(image: PreprocessedImage, texts: string[], text: number, kind: PerturbationScoreKind): Promise<ScoreBatch> {
    return itmScore(this, image, texts[text], kind);
  }

  /** The matching probability of `image` and `text` as a function of a mask over one stream's heads (headAblation.ts). */
  headAblation(image: PreprocessedImage, text: string, stream: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
    return crossHeadAblation(this, image, text, stream, cache);
  }

  /** The matcher's graph file. */
  get graphFile(): string {
    return this.graph.file;
  }

  /** The graph run once for its taps' shapes, by stream, with the anatomy. */
  inspect(notices: string[]): Promise<InspectResult> {
    return inspectCrossAttention(this, notices);
  }

  /** Runs every image with every text, in chunks of pairs. */
  async scorePairs(images: PreprocessedImage[], texts: string[], options: LongRunOptions = {}): Promise<PairScores> {
    return this.runPairBatch(images, await this.encodePairTexts(texts, options.signal), options);
  }

  /** `texts` padded to the longest, or to the graph's fixed length. */
  encodePairTexts(texts: string[], signal?: AbortSignal): Promise<EncodedBatch> {
    return this.tokenizer.encodeBatchAsync(texts, { padTo: fixedDim(this.inputs.ids, 1), signal });
  }

  /** Pairs of `images` and the texts of `batch` through the graph, in chunks of pairs. */
  runPairBatch(images: PreprocessedImage[], batch: EncodedBatch, options: PairRunOptions = {}): Promise<PairScores> {
    return runPairs(this.graph, this.session, this.inputs, this.itmOutput, images, batch, options);
  }

  /** The matching probability of `text` for pairs of perturbed copies of `image` and edited token ids of `text`. */
  pairPerturbationScore(image: PreprocessedImage, text: string): Promise<PairPerturbation> {
    return itmPairScore(this, image, text);
  }

  /** A pair run's tapped layers sorted into the streams. */
  byStream(attention: LayerAttention[]): StreamAttention {
    const pick = (indices: number[]) => indices.map((i) => attention[i]);
    return { vision: pick(this.streams.vision), text: pick(this.streams.text), cross: pick(this.streams.cross) };
  }
}
