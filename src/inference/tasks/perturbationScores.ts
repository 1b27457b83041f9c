/**
 * The model side of the perturbation analyses (occlusion, RISE, deletion and insertion curves in
 * src/analysis): an image in the model's own preprocessing, the fills that hide its pixels, and a scoring
 * function from a batch of perturbed pixel tensors to one number per image for one fixed text.
 */
import { cosineSimilarityMatrix, sigmoidScores, softmaxRows } from '../../analysis/similarity';
import type { Fill, PatchedImage, ScoreBatch } from '../../analysis/perturbation';
import { badInput } from '../../core/errors';
import type { PreprocessedImage } from '../images/preprocess';
import type { PreprocessorConfig } from '../model/preprocessorConfig';
import { SingleStreamModel } from '../families/singleStream/singleStreamModel';
import type { TwoTowerModel } from '../families/twoTower/twoTowerModel';

/**
 * What a perturbed image is scored by. Two-tower models: the cosine similarity with the text, or its
 * probability among the given texts (softmax of similarity x logit scale; per pair for sigmoid models).
 * Single-stream models: the image-text matching probability.
 */
export type PerturbationScoreKind = 'similarity' | 'probability' | 'itm';

/** One image and one of several texts to explain; `score` defaults as `defaultScoreKind` says. */
export interface PerturbationRequest {
  modelDir?: string;
  image: string;
  texts: string[];
  /** Index into `texts` of the text whose score is explained. */
  text: number;
  score?: PerturbationScoreKind;
}

/** Everything occlusionMap, riseMap and the faithfulness curves need, for one image and one text. */
export interface PerturbationTarget {
  /** The preprocessed, normalised pixels on the model's patch grid. */
  image: PatchedImage;
  /** Hidden pixels as mid-grey (0.5 before normalisation), or blurred. */
  fills: { gray: Fill; blur: Fill };
  score: ScoreBatch;
  kind: PerturbationScoreKind;
}

/** A loaded model of either architecture. */
type Model = TwoTowerModel | SingleStreamModel;

/**
 * Mid-grey in the model's input units, per channel: 127.5 of 255 through the preprocessor's rescale and
 * normalisation, ((0.5 - mean) / std with CLIP's settings). A grey fill hides content without pushing the
 * pixels to an extreme value the model never saw.
 */
export function greyValue(pre: PreprocessorConfig): number[] {
  const x = 127.5 * (pre.rescale ? pre.rescaleFactor : 1);
  return pre.mean.map((mean, c) => (pre.normalize ? (x - mean) / pre.std[c] : x));
}

/** ITM for single-stream models; the probability among the texts for two-tower ones, when it can vary. */
export function defaultScoreKind(model: Model, texts: number): PerturbationScoreKind {
  if (model instanceof SingleStreamModel) return 'itm';
  return texts > 1 || model.folder.config.logitBias !== undefined ? 'probability' : 'similarity';
}

/** Builds the target for `image` (preprocessed for `model`) and text `request.text` of `request.texts`. */
export async function perturbationTarget(model: Model, image: PreprocessedImage, request: PerturbationRequest): Promise<PerturbationTarget> {
  const { texts, text } = request;
  if (!Number.isInteger(text) || text < 0 || text >= texts.length) throw badInput(`Text ${text} is not one of the ${texts.length} texts given.`, `Pick a text from 0 to ${texts.length - 1}.`);
  const kind = request.score ?? defaultScoreKind(model, texts.length);
  const { height, width } = image.outputSize;
  const rows = model instanceof SingleStreamModel ? model.layout.rows : Math.floor(height / model.folder.config.vision.patchSize);
  const cols = model instanceof SingleStreamModel ? model.layout.cols : Math.floor(width / model.folder.config.vision.patchSize);
  const score = model instanceof SingleStreamModel ? itmScore(model, image, texts[text], kind) : await towerScore(model, image, texts, text, kind);
  return {
    image: { data: image.pixels, height, width, rows, cols },
    fills: { gray: { kind: 'gray', value: greyValue(model.folder.preprocessor) }, blur: { kind: 'blur' } },
    score,
    kind,
  };
}

async function towerScore(model: TwoTowerModel, image: PreprocessedImage, texts: string[], text: number, kind: PerturbationScoreKind): Promise<ScoreBatch> {
  if (kind === 'itm') throw badInput('A two-tower model has no image-text matching head.', 'Score by similarity or probability.');
  const sigmoid = model.folder.config.logitBias;
  if (kind === 'probability' && texts.length === 1 && !sigmoid) {
    throw badInput('The softmax probability of one text among one text is always 1.', 'Give more texts, or score by similarity.');
  }
  const { embeds, dim } = await model.encodeTexts(texts);
  const scale = model.folder.config.logitScale.value;
  return async (batch, count) => {
    const similarity = cosineSimilarityMatrix(await model.embedPixels(batch, count, image.outputSize), embeds, dim);
    const scores = kind === 'similarity' ? similarity
      : sigmoid ? sigmoidScores(similarity, scale, sigmoid.value) : softmaxRows(similarity, count, texts.length, scale);
    return Float32Array.from({ length: count }, (_, i) => scores[i * texts.length + text]);
  };
}

function itmScore(model: SingleStreamModel, image: PreprocessedImage, text: string, kind: PerturbationScoreKind): ScoreBatch {
  if (kind !== 'itm') throw badInput(`A single-stream model scores image-text pairs by matching, not by ${kind}.`, 'Score by itm.');
  const plane = image.pixels.length;
  return async (batch, count) => {
    const images = Array.from({ length: count }, (_, i) => ({ ...image, pixels: batch.subarray(i * plane, (i + 1) * plane) }));
    return (await model.scorePairs(images, [text])).itm;
  };
}
