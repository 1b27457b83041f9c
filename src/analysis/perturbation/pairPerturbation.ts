/**
 * What the text-side perturbation analyses (text-token occlusion, MM-SHAP) share: an image-text pair whose image
 * patches and text tokens are hidden together, the batches of distinct perturbed images and token-id rows the
 * model scores, and building such a batch from coalitions of features. The model stays behind the callback.
 */
import { LensError } from '../../core/errors';
import { copyPatches, hiddenImage, type Fill, type PatchedImage } from './perturbation';

/** Distinct perturbed images and token-id rows, and the (image, text) pairs among them to score. */
export interface PairBatch {
  /** `images` pixel tensors laid one after another, each as long as the explained image's. */
  pixels: Float32Array;
  images: number;
  /** Token-id rows, each as long as the explained text (special tokens included, no padding). */
  ids: number[][];
  /** Pair p is image pairs[2p] with text row pairs[2p + 1]. */
  pairs: Uint32Array;
}

/** Scores each pair of a batch, one number per pair: the cosine similarity, or the ITM match probability. */
export type PairScoreBatch = (batch: PairBatch) => Promise<Float32Array>;

/** The text of a pair as the model reads it, and how a token is hidden. */
export interface PairText {
  ids: number[];
  /** Display strings, one per id. */
  tokens: string[];
  /** Indices into `ids` of the tokens that may be hidden: every token but the tokenizer's start and end tokens. */
  positions: number[];
  /** The id a hidden token becomes. */
  maskId: number;
}

/** The features of a pair: the text's hideable tokens, then the image's patches of `image` (row-major). */
export interface PairFeatures {
  image: PatchedImage;
  fill: Fill;
  text: PairText;
}

/** How many features a pair has: text tokens first, then image patches. */
export function featureCount(features: PairFeatures): number {
  return features.text.positions.length + features.image.rows * features.image.cols;
}

/** Scores a batch and checks the answer: one finite number per pair. */
export async function scorePairBatch(score: PairScoreBatch, batch: PairBatch, stage: string): Promise<Float32Array> {
  const count = batch.pairs.length / 2;
  const result = await score(batch);
  if (result.length !== count) throw new LensError('internal', `${stage}: the scoring function returned ${result.length} scores for ${count} pairs.`);
  const bad = result.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new LensError('internal', `${stage}: the scoring function returned ${result[bad]} for pair ${bad}.`);
  return result;
}

/**
 * The batch for `count` coalitions over `features` (rows of `coalitions`, 1 present, 0 hidden; text tokens first,
 * then image patches): hidden text tokens become the mask id, hidden patches the fill. Coalitions that agree on the
 * text (or on the image) share one text row (or one image), so a two-tower model encodes each once.
 */
export function coalitionBatch(features: PairFeatures, coalitions: Uint8Array, count: number, hidden = hiddenImage(features.image, features.fill)): PairBatch {
  const { image, text } = features;
  const words = text.positions.length;
  const width = featureCount(features);
  const plane = image.data.length;
  const imageKeys = new Map<string, number>();
  const textKeys = new Map<string, number>();
  const chosen: Uint8Array[] = [];
  const ids: number[][] = [];
  const pairs = new Uint32Array(2 * count);
  for (let r = 0; r < count; r++) {
    const row = coalitions.subarray(r * width, (r + 1) * width);
    const textPart = row.subarray(0, words);
    const imagePart = row.subarray(words);
    const textKey = textPart.join('');
    if (!textKeys.has(textKey)) {
      textKeys.set(textKey, ids.length);
      const edited = [...text.ids];
      textPart.forEach((present, k) => {
        if (!present) edited[text.positions[k]] = text.maskId;
      });
      ids.push(edited);
    }
    const imageKey = imagePart.join('');
    if (!imageKeys.has(imageKey)) {
      imageKeys.set(imageKey, chosen.length);
      chosen.push(imagePart);
    }
    pairs[2 * r] = imageKeys.get(imageKey)!;
    pairs[2 * r + 1] = textKeys.get(textKey)!;
  }
  const pixels = new Float32Array(chosen.length * plane);
  chosen.forEach((present, i) => {
    const target = pixels.subarray(i * plane, (i + 1) * plane);
    target.set(image.data);
    present.forEach((on, p) => {
      if (on) return;
      const [row, col] = [Math.floor(p / image.cols), p % image.cols];
      copyPatches(image, hidden, target, row, row + 1, col, col + 1);
    });
  });
  return { pixels, images: chosen.length, ids, pairs };
}
