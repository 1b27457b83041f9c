/**
 * Image-text matching models (single-stream ViLT-likes, cross-attention BLIP-likes): every image x text pair is one
 * item of one graph's batch (with ViLT's token_type_ids and pixel_mask where the graph takes them), and an ITM head
 * scores it. Running the pairs in chunks, reading the head (two logits,
 * no match / match, or one match logit), zero-shot labels by the head (each label's prompts matched with the image,
 * the probability averaged over the templates) and the score the perturbation methods explain.
 */
import type { Tensor } from 'onnxruntime-node';
import type { ScoreBatch } from '../../analysis/perturbation/perturbation';
import { sigmoidScores } from '../../analysis/similarity';
import { badInput, badModel } from '../../core/errors';
import type { LongRunOptions } from '../../core/progress';
import type { PreprocessedImage } from '../images/preprocess';
import type { EncodedBatch, TextTokenizer } from '../model/tokenize';
import type { OnnxValueInfo } from '../onnx/onnxTypes';
import { runInChunks } from '../runtime/batching';
import { checkImageSize, isIdsInput, isPixelInput } from '../runtime/graphInputs';
import { chunkSize, floatData, intTensor } from '../runtime/graphIo';
import { loadOrt, type OpenSession, type OrtModule } from '../runtime/sessions';
import type { LayerAttention, TappedGraph } from '../runtime/tappedGraph';
import { defaultMaskId, editedBatch, type PairPerturbation } from './pairPerturbation';
import type { PerturbationScoreKind } from './perturbationScores';
import type { PromptScores } from './zeroShot';

/** Scores and attention of every image x text pair; pair p is (image ⌊p / texts⌋, text p mod texts). */
export interface PairScores {
  /** Probability that the text matches the image, per pair. */
  itm: Float32Array;
  /** The match log-odds per pair: logit(match) - logit(no match), or the one logit of a sigmoid head. */
  logOdds: Float32Array;
  /** Per layer, [pairs, heads, queries, keys], as the graph taps them; empty when the graph hides its attention. */
  attention: LayerAttention[];
  /** The texts as fed to the graph. */
  batch: EncodedBatch;
}

/** The graph inputs a matching model is fed. */
export interface PairInputs {
  ids: OnnxValueInfo;
  mask?: OnnxValueInfo;
  pixels: OnnxValueInfo;
  /** BERT's segment ids (ViLT's token_type_ids): one text per pair, so all 0. */
  tokenTypes?: OnnxValueInfo;
  /** Which pixels are image, not padding (ViLT's pixel_mask): each pair's image is unpadded, so all 1. */
  pixelMask?: OnnxValueInfo;
}

/** What scores pairs: the adapters of matching models. */
export interface PairScorer {
  readonly tokenizer: TextTokenizer;
  /** Ids the tokenizer puts around every text. */
  readonly specialIds: ReadonlySet<number>;
  /** Every image with every text: `texts` encoded as the graph takes them, then runPairBatch. */
  scorePairs(images: PreprocessedImage[], texts: string[], options?: LongRunOptions): Promise<PairScores>;
  /** `texts` tokenised and padded as the graph takes them. */
  encodePairTexts(texts: string[], signal?: AbortSignal): Promise<EncodedBatch>;
  /** Pairs of `images` (preprocessed, all the same size) and the texts of `batch` through the graph. */
  runPairBatch(images: PreprocessedImage[], batch: EncodedBatch, options?: PairRunOptions): Promise<PairScores>;
}

/** The id, mask and pixel inputs of a matching graph, or a badModel error naming what it takes instead (`model`: which kind). */
export function pairInputs(graph: TappedGraph, model: string, fix: string): PairInputs {
  const inputs = graph.graph.inputs;
  const ids = inputs.find((i) => i.name === 'input_ids') ?? inputs.find(isIdsInput);
  const pixels = inputs.find((i) => i.name === 'pixel_values') ?? inputs.find(isPixelInput);
  if (!ids || !pixels) {
    const names = inputs.map((i) => i.name).join(', ') || 'none';
    const only = ids ? 'token ids but no pixels' : pixels ? 'pixels but no token ids' : 'neither token ids nor pixels';
    throw badModel(graph.file, `takes ${only} (its inputs: ${names}); ${model} takes both in one graph`, fix);
  }
  const named = (name: string) => inputs.find((i) => i.name === name);
  return { ids, pixels, mask: named('attention_mask'), tokenTypes: named('token_type_ids'), pixelMask: named('pixel_mask') };
}

/** Options of a pair run. */
export interface PairRunOptions extends LongRunOptions {
  /**
   * Only these pairs, pair p being image pairs[2p] with text pairs[2p + 1], and their scores only (no attention is
   * read): the perturbation analyses' many passes. Every image with every text, with attention, when absent.
   */
  pairs?: Uint32Array;
}

/** Runs every image (preprocessed, all the same size) with every text of `batch` through `graph`, in chunks of pairs. */
export async function runPairs(graph: TappedGraph, session: OpenSession, inputs: PairInputs, itmOutput: string, images: PreprocessedImage[], batch: EncodedBatch, options: PairRunOptions = {}): Promise<PairScores> {
  const ort = await loadOrt();
  const { ids, pixels } = inputs;
  const texts = batch.items.length;
  const listed = options.pairs;
  const imageOf = (p: number) => (listed ? listed[2 * p] : Math.floor(p / texts));
  const textOf = (p: number) => (listed ? listed[2 * p + 1] : p % texts);
  checkImageSize(graph.file, pixels, images[0].outputSize);
  const result = await runInChunks(listed ? listed.length / 2 : images.length * texts, chunkSize(ids), 'joint', async (start, end) => {
    const count = end - start;
    const chunk = Array.from({ length: count }, (_, i) => [imageOf(start + i), textOf(start + i)] as const);
    const feeds = pairFeeds(ort, inputs, images, batch, chunk);
    const { outputs, attention } = listed ? { outputs: await graph.fetch(session, feeds, [itmOutput]), attention: [] } : await graph.run(session, feeds, count);
    return { floats: { logOdds: matchScores(graph.file, itmOutput, outputs[itmOutput].dims, floatData(outputs, itmOutput, graph.file), count) }, attention };
  }, options);
  const { logOdds } = result.floats;
  return { logOdds, itm: sigmoidScores(logOdds, 1, 0), attention: result.attention, batch };
}

/** The graph's feeds for the pairs `chunk` ([image, text] indices into `images` and the texts of `batch`), one item each. */
export function pairFeeds(ort: OrtModule, inputs: PairInputs, images: PreprocessedImage[], batch: EncodedBatch, chunk: readonly (readonly [number, number])[]): Record<string, Tensor> {
  const { ids, mask, pixels, tokenTypes, pixelMask } = inputs;
  const { height, width } = images[0].outputSize;
  const plane = 3 * height * width;
  const L = batch.length;
  const count = chunk.length;
  const pixelData = new Float32Array(count * plane);
  const idData = new BigInt64Array(count * L);
  const maskData = new BigInt64Array(count * L);
  chunk.forEach(([image, text], i) => {
    pixelData.set(images[image].pixels, i * plane);
    idData.set(batch.ids.subarray(text * L, (text + 1) * L), i * L);
    maskData.set(batch.attentionMask.subarray(text * L, (text + 1) * L), i * L);
  });
  const feeds: Record<string, Tensor> = { [ids.name]: intTensor(ort, idData, ids, [count, L]), [pixels.name]: new ort.Tensor('float32', pixelData, [count, 3, height, width]) };
  if (mask) feeds[mask.name] = intTensor(ort, maskData, mask, [count, L]);
  if (tokenTypes) feeds[tokenTypes.name] = intTensor(ort, new BigInt64Array(count * L), tokenTypes, [count, L]);
  if (pixelMask) feeds[pixelMask.name] = intTensor(ort, new BigInt64Array(count * height * width).fill(1n), pixelMask, [count, height, width]);
  return feeds;
}

/**
 * The match log-odds of `count` pairs from the ITM output (`dims` its shape, `data` its values): two logits (no
 * match, match) as ViLT and BLIP export them, or one match logit for a sigmoid head. Both become the log-odds, so
 * itm = sigmoid(log-odds) either way (for two logits that is exactly softmax(logits)[1]).
 */
export function matchScores(file: string, output: string, dims: readonly number[], data: Float32Array, count: number): Float32Array {
  const width = dims.length === 1 ? 1 : dims.length === 2 ? dims[1] : 0;
  if (dims[0] !== count || (width !== 1 && width !== 2)) {
    throw badModel(file, `output \`${output}\` has shape [${dims.join(', ')}], expected [${count}, 2] (no match, match) or [${count}, 1]`, 'Export the matching head with two logits, index 1 = match.');
  }
  if (width === 1) return Float32Array.from(data);
  return Float32Array.from({ length: count }, (_, p) => data[2 * p + 1] - data[2 * p]);
}

/** Zero-shot scores of `pixels` over `labels` labels of `templates` prompts each (label-major `texts`). */
export async function promptMatchScores(model: PairScorer, pixels: PreprocessedImage[], texts: string[], labels: number, templates: number, options: LongRunOptions): Promise<PromptScores> {
  const pairs = await model.scorePairs(pixels, texts, options);
  const probabilities = new Float32Array(pixels.length * labels);
  // Prompts are label-major (buildPrompts), so label l's templates are prompts l·templates .. + templates − 1.
  probabilities.forEach((_, k) => {
    const [image, label] = [Math.floor(k / labels), k % labels];
    let sum = 0;
    for (let t = 0; t < templates; t++) sum += pairs.itm[image * texts.length + label * templates + t];
    probabilities[k] = sum / templates;
  });
  return { scoring: 'itm', probabilities, prompts: pairs.batch.items };
}

/** Scores batches of perturbed copies of `image` by their matching probability with `text`. */
export function itmScore(model: PairScorer, image: PreprocessedImage, text: string, kind: PerturbationScoreKind): ScoreBatch {
  if (kind !== 'itm') throw badInput(`An image-text matching model scores pairs by matching, not by ${kind}.`, 'Score by itm.');
  const plane = image.pixels.length;
  return async (batch, count) => {
    const images = Array.from({ length: count }, (_, i) => ({ ...image, pixels: batch.subarray(i * plane, (i + 1) * plane) }));
    return (await model.scorePairs(images, [text])).itm;
  };
}

/** Scores pairs of perturbed copies of `image` and edited token ids of `text` by their matching probability. */
export async function itmPairScore(model: PairScorer, image: PreprocessedImage, text: string): Promise<PairPerturbation> {
  const base = await model.encodePairTexts([text]);
  const plane = image.pixels.length;
  return {
    kind: 'itm',
    text: base.items[0],
    specialIds: model.specialIds,
    defaultMaskId: defaultMaskId(model.tokenizer),
    score: async (batch) => {
      const images = Array.from({ length: batch.images }, (_, i) => ({ ...image, pixels: batch.pixels.subarray(i * plane, (i + 1) * plane) }));
      return (await model.runPairBatch(images, editedBatch(base, batch.ids), { pairs: batch.pairs })).itm;
    },
  };
}
