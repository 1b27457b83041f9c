/**
 * The single-stream adapter (ViLT-like early fusion): one graph takes token ids, their attention mask (and ViLT's
 * token_type_ids and pixel_mask) and pixels, runs one transformer over [text tokens; image tokens] and scores
 * image-text matching (ITM). Where the tokens sit comes from config.json (jointLayout.ts: our token_layout, or
 * ViLT's own fields and the image's size). Every image x text pair is one item of the batch; the graph is tapped
 * for its joint attention. The service's tasks are in the files beside this one (analyse, probe, inspect) and in
 * tasks/pairMatching.ts (pairs, zero-shot, perturbation scores).
 */
import type { ScoreBatch } from '../../../analysis/perturbation/perturbation';
import type { PairKeys } from '../../../analysis/probes/retrieval';
import type { DetailedAnalysisResult } from '../../../shared/attentionDetails';
import type { TokenLayoutInfo } from '../../../shared/analysisResult';
import type { HeadStream } from '../../../shared/headImportance';
import { badModel } from '../../../core/errors';
import { fixedDim } from '../../runtime/graphInputs';
import { outputNamed } from '../../runtime/graphIo';
import type { ModelFolder } from '../../model/modelFolder';
import type { PreprocessedImage } from '../../images/preprocess';
import type { Size2D } from '../../model/preprocessorConfig';
import type { LongRunOptions } from '../../../core/progress';
import type { OpenSession, SessionCache } from '../../runtime/sessions';
import { TappedGraph, type LayerAttention } from '../../runtime/tappedGraph';
import { firstPatchIndex, jointLength, type TokenLayout } from '../../../core/tokenLayout';
import { loadTokenizer, type EncodedBatch, type TextTokenizer } from '../../model/tokenize';
import { itmPairScore, itmScore, pairInputs, promptMatchScores, runPairs, type PairInputs, type PairRunOptions, type PairScores } from '../../tasks/pairMatching';
import { specialIdsOf, type PairPerturbation } from '../../tasks/pairPerturbation';
import type { PreparedRequest } from '../../tasks/analysisParts';
import type { HeadAblationTarget } from '../../tasks/headImportance';
import type { MaskableMatcher } from '../../tasks/pairHeadAblation';
import type { InspectResult } from '../../tasks/inspect';
import type { PerturbationScoreKind } from '../../tasks/perturbationScores';
import type { ProbeImages } from '../../tasks/probeImages';
import type { ProbeRun } from '../../tasks/probeParts';
import type { Stopwatch } from '../../tasks/stopwatch';
import type { PromptScores } from '../../tasks/zeroShot';
import type { ModelAdapter, ModelCapabilities } from '../adapter';
import { analyzeSingleStream } from './analyzeSingleStream';
import { jointHeadAblation } from './headAblation';
import { inspectSingleStream } from './inspectSingleStream';
import { readJointLayout, type JointLayout } from './jointLayout';
import { probeSingleStream } from './probeSingleStream';

const ITM_OUTPUTS = ['itm_logits', 'logits'];

/** What every single-stream model can do: match pairs, over one joint attention; no embedding space to map in. */
const CAPABILITIES: ModelCapabilities = {
  similarity: false,
  imageTextMatching: true,
  generation: false,
  attention: 'joint',
  denseMaps: { available: false, reason: 'a single-stream model has no joint embedding space; its per-text maps come from attention rollout' },
  valuePath: { available: false, reason: 'a single-stream model has no image-only value path' },
  probes: { available: true },
};

/** A loaded single-stream model. */
export class SingleStreamModel implements ModelAdapter, MaskableMatcher {
  readonly family = 'singleStream';
  readonly capabilities = CAPABILITIES;
  /** Ids the tokenizer puts around every text (start and end tokens); per-text maps leave them out. */
  readonly specialIds: ReadonlySet<number>;

  private constructor(
    readonly folder: ModelFolder,
    readonly joint: TappedGraph,
    readonly tokenizer: TextTokenizer,
    private readonly jointLayout: JointLayout,
    /** The graph inputs a pair is fed. */
    readonly inputs: PairInputs,
    /** The matching head's output. */
    readonly itmOutput: string,
    private readonly session: OpenSession,
  ) {
    this.specialIds = specialIdsOf(tokenizer);
  }

  /** Loads the joint graph, checks its inputs against the token layout and opens a tapped session. */
  static async open(folder: ModelFolder, cache: SessionCache): Promise<SingleStreamModel> {
    if (!folder.files.joint) {
      throw badModel(folder.dir, 'is not a single-stream model (it needs onnx/model.onnx)', 'See docs/cli.md for the single-stream model layout.');
    }
    const layout = await readJointLayout(folder);
    const joint = await TappedGraph.load(folder.files.joint);
    const inputs = pairInputs(joint, 'a single-stream model', 'Export the joint model with input_ids, attention_mask and pixel_values inputs; for a two-tower model, export onnx/vision_model.onnx and onnx/text_model.onnx and remove token_layout from config.json.');
    const fixed = fixedDim(inputs.ids, 1);
    if (fixed !== undefined && fixed !== layout.textLength) {
      throw badModel('config.json', `${layout.says.slots}, but ${joint.file} takes ${fixed} token ids`, `Export the model again, or: ${layout.says.fix}`);
    }
    const itmOutput = outputNamed(joint, ITM_OUTPUTS, 'Export the joint model with its image-text matching head output, `itm_logits` [batch, 2] (index 1 = match) or ViLT\'s `logits` [batch, 1].');
    const session = await joint.open(cache, joint.file);
    return new SingleStreamModel(folder, joint, loadTokenizer(folder), layout, inputs, itmOutput, session);
  }

  /** The joint graph's file. */
  get graphFile(): string {
    return this.joint.file;
  }

  /** The fixed number of text slots (L); texts are padded or cut to it. */
  get textLength(): number {
    return this.jointLayout.textLength;
  }

  /** Where the tokens sit for an image preprocessed to `size`. */
  layoutFor(size: Size2D): TokenLayout {
    return this.jointLayout.layoutFor(size);
  }

  /** The provider that runs the graph. */
  get executionProvider(): string {
    return this.session.provider;
  }

  /** The token layout for an image preprocessed to `size`, as the JSON results report it. */
  layoutInfo(size: Size2D): TokenLayoutInfo {
    const l = this.layoutFor(size);
    return {
      tokens: jointLength(l), textStart: l.textStart, textEnd: l.textEnd, imageStart: l.imageStart, imageTokens: l.imageTokens,
      imageCls: l.imageCls ?? null, firstPatch: firstPatchIndex(l), itmToken: l.clsIndex ?? 0,
    };
  }

  /** Every image x text pair through the joint graph: ITM scores and rollout maps. */
  analyze(request: PreparedRequest, stopwatch: Stopwatch, options?: LongRunOptions): Promise<DetailedAnalysisResult> {
    return analyzeSingleStream(this, request, stopwatch, options);
  }

  /** Each label's prompts matched with the image, the probability averaged over the templates. */
  zeroShotScores(images: PreprocessedImage[], prompts: string[], labels: number, templates: number, options: LongRunOptions = {}): Promise<PromptScores> {
    return promptMatchScores(this, images, prompts, labels, templates, options);
  }

  /** One joint pass per distinct image and caption, with the cross-modal attention of the matching pairs. */
  probe(images: ProbeImages, captions: string[], keys: PairKeys, stopwatch: Stopwatch, options?: LongRunOptions): Promise<ProbeRun> {
    return probeSingleStream(this, images, captions, keys, stopwatch, options);
  }

  /** The patch grid of the token layout for an image of `size`. */
  perturbationGrid(size: Size2D): { rows: number; cols: number } {
    const { rows, cols } = this.layoutFor(size);
    return { rows, cols };
  }

  /** The matching probability, the one score a single-stream model gives. */
  defaultScoreKind(): PerturbationScoreKind {
    return 'itm';
  }

  /** The matching probability of `texts[text]` for batches of perturbed copies of `image`. */
  async perturbationScore(image: PreprocessedImage, texts: string[], text: number, kind: PerturbationScoreKind): Promise<ScoreBatch> {
    return itmScore(this, image, texts[text], kind);
  }

  /** The matching probability of `image` and `text` as a function of a mask over the joint layers' heads (headAblation.ts). */
  headAblation(image: PreprocessedImage, text: string, stream: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
    return jointHeadAblation(this, image, text, stream, cache);
  }

  /** The joint graph run once for its taps' shapes, with the token layout and the anatomy. */
  inspect(notices: string[]): Promise<InspectResult> {
    return inspectSingleStream(this, notices);
  }

  /** Runs every image (preprocessed, all the same size) with every text, in chunks of pairs. */
  async scorePairs(images: PreprocessedImage[], texts: string[], options: LongRunOptions = {}): Promise<PairScores> {
    return this.runPairBatch(images, await this.encodePairTexts(texts, options.signal), options);
  }

  /** `texts` padded (or cut) to the layout's text slots. */
  encodePairTexts(texts: string[], signal?: AbortSignal): Promise<EncodedBatch> {
    return this.tokenizer.encodeBatchAsync(texts, { padTo: this.textLength, signal });
  }

  /** Pairs of `images` and the texts of `batch` through the joint graph, in chunks of pairs. */
  async runPairBatch(images: PreprocessedImage[], batch: EncodedBatch, options: PairRunOptions = {}): Promise<PairScores> {
    const size = images[0].outputSize;
    // Before the run: an image the layout cannot hold (over ViLT's max_image_length) is refused.
    const expected = jointLength(this.layoutFor(size));
    const scores = await runPairs(this.joint, this.session, this.inputs, this.itmOutput, images, batch, options);
    this.checkTokens(scores.attention, expected, size);
    return scores;
  }

  /** The matching probability of `text` for pairs of perturbed copies of `image` and edited token ids of `text`. */
  pairPerturbationScore(image: PreprocessedImage, text: string): Promise<PairPerturbation> {
    return itmPairScore(this, image, text);
  }

  /** The layout must describe the sequence the graph attends over, or every map would point at wrong tokens. */
  private checkTokens(attention: LayerAttention[], expected: number, size: Size2D): void {
    const keys = attention[0]?.keys;
    if (keys !== undefined && keys !== expected) {
      throw badModel('config.json', `${this.jointLayout.says.tokens(expected, size)}, but the attention in ${this.joint.file} is over ${keys}`, this.jointLayout.says.fix);
    }
  }
}
