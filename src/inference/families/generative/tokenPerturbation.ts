/**
 * A faithful alternative to the attention maps of a generated answer (attention is a weak explanation in decoders):
 * how each generated token's log-probability changes when image regions are hidden. The answer is teacher-forced:
 * every perturbed copy of the image goes through the vision encoder and one decoder pass over the prompt and the
 * answer, which scores all the answer's tokens at once, so a map for every token costs one pass per perturbation.
 * Occlusion hides one image token's input at a time (its patch, its tile's block, its merged patches: the family's
 * occludeToken) and credits the token with the drop in log-probability, Zeiler & Fergus's window of one token; RISE
 * (analysis/perturbation/rise.ts, Petsiuk et al. 2018) weights random masks by the token's probability, the score
 * the paper uses, where the family's input is one plain image. Hidden pixels become mid-grey in the model's units.
 */
import { scoreInBatches } from '../../../analysis/perturbation/perturbation';
import { riseMaps } from '../../../analysis/perturbation/rise';
import { logSoftmax } from '../../../analysis/generation/tokenChoice';
import { badInput } from '../../../core/errors';
import type { LongRunOptions } from '../../../core/progress';
import type { PreprocessedImage } from '../../images/preprocess';
import { greyValue } from '../../tasks/perturbationScores';
import type { TokenPerturbationRequest } from '../../tasks/generateRequest';
import type { GenerativeModel } from './generativeModel';

/** The answer to explain: the prompt's ids and image spans, the prompt's embeddings with every image in place, the answer's ids. */
export interface TeacherForcing {
  /** inputs_embeds of the prompt and the answer but its last token, [rows, width], images written over their tokens. */
  embeds: Float32Array;
  rows: number;
  /** Each image's token positions in the prompt, in feature order. */
  positions: number[][];
  answer: number[];
  vocab: number;
  /** A multimodal decoder's three rows of positions for those rows (Qwen2-VL). */
  ropeRows?: number[][];
}

/** RISE's masks for a generated answer: the paper's 4000 would be 4000 passes of the whole VLM. */
export const DEFAULT_RISE_MASKS = 500;

/** Logits the decoder may return in one perturbation batch (2^25 floats, 128 MB). */
const LOGITS_BUDGET = 2 ** 25;

/** One map per answer token over image `index`'s tokens (in the order of their positions), and the forward passes it cost. */
export async function tokenPerturbationMaps(
  model: GenerativeModel,
  forced: TeacherForcing,
  image: PreprocessedImage & { rows: number; cols: number },
  index: number,
  request: TokenPerturbationRequest,
  options: LongRunOptions,
): Promise<{ maps: Float32Array[]; forwardPasses: number }> {
  const { embeds, rows, positions, answer, vocab, ropeRows } = forced;
  const width = embeds.length / rows;
  const { placement } = model;
  if (request.method === 'rise' && placement.riseUnavailable) throw badInput(`Per-token RISE is not available for ${model.folder.name}: ${placement.riseUnavailable}.`, 'Use --occlusion, which hides one image token at a time.');
  const batchSize = Math.max(1, Math.min(placement.maxBatch ?? 8, Math.floor(LOGITS_BUDGET / (rows * vocab))));
  const probabilities = request.method === 'rise';
  const score = async (pixels: Float32Array, count: number) => {
    const { features, tokens } = await model.encodeImages(pixels, count, image);
    const batch = new Float32Array(count * embeds.length);
    for (let b = 0; b < count; b++) {
      batch.set(embeds, b * embeds.length);
      positions[index].forEach((place, t) => batch.set(features.subarray((b * tokens + t) * width, (b * tokens + t + 1) * width), b * embeds.length + place * width));
    }
    const { logits } = await model.lastLogits(batch, count, rows, answer.length, ropeRows);
    const scores = new Float32Array(count * answer.length);
    for (let b = 0; b < count; b++) {
      answer.forEach((id, k) => {
        const at = (b * answer.length + k) * vocab;
        const logprob = logSoftmax(logits.subarray(at, at + vocab))[id];
        scores[b * answer.length + k] = probabilities ? Math.exp(logprob) : logprob;
      });
    }
    return scores;
  };
  const grey = greyValue(model.folder.preprocessor);
  if (request.method === 'occlusion') {
    const tokens = positions[index].length;
    // Image 0 is the untouched image; image t + 1 hides token t.
    const scores = await scoreInBatches(tokens + 1, image.pixels.length, (i, target) => {
      target.set(image.pixels);
      if (i > 0) placement.occludeToken(target, image, i - 1, tokens, grey);
    }, score, { ...options, batchSize }, 'occlusion', answer.length);
    const maps = answer.map((_, k) => Float32Array.from({ length: tokens }, (_, t) => scores[k] - scores[(t + 1) * answer.length + k]));
    return { maps, forwardPasses: tokens + 1 };
  }
  const patched = { data: image.pixels, height: image.outputSize.height, width: image.outputSize.width, rows: image.rows, cols: image.cols };
  const results = await riseMaps(patched, { kind: 'gray', value: grey }, score, answer.length, { ...options, batchSize, masks: request.masks ?? DEFAULT_RISE_MASKS, seed: request.seed });
  return { maps: results.map((r) => r.map), forwardPasses: results[0]?.forwardPasses ?? 0 };
}
