/**
 * The model side of the perturbation analyses (occlusion, RISE, deletion and insertion curves in
 * src/analysis): an image in the model's own preprocessing, the fills that hide its pixels, and a scoring
 * function from a batch of perturbed pixel tensors to one number per image for one fixed text.
 */
import type { Fill, PatchedImage, ScoreBatch } from '../../analysis/perturbation/perturbation';
import { badInput } from '../../core/errors';
import type { ModelAdapter } from '../families/adapter';
import type { PreprocessedImage } from '../images/preprocess';
import type { PreprocessorConfig } from '../model/preprocessorConfig';

import type { PerturbationScoreKind } from '../../shared/mapEvaluation';

export type { PerturbationScoreKind };

/** One image and one of several texts to explain; `score` defaults to the model's `defaultScoreKind`. */
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
  /** Hidden pixels as mid-grey (0.5 before normalisation), blurred, or the dataset's mean colour (0 after it). */
  fills: { gray: Fill; blur: Fill; mean: Fill };
  score: ScoreBatch;
  kind: PerturbationScoreKind;
  /** The image as preprocessed, for the analyses that edit the text too (tasks/pairAttribution.ts). */
  source: PreprocessedImage;
}

/**
 * Mid-grey in the model's input units, per channel: 127.5 of 255 through the preprocessor's rescale and
 * normalisation, ((0.5 - mean) / std with CLIP's settings). A grey fill hides content without pushing the
 * pixels to an extreme value the model never saw.
 */
export function greyValue(pre: PreprocessorConfig): number[] {
  const x = 127.5 * (pre.rescale ? pre.rescaleFactor : 1);
  return pre.mean.map((mean, c) => (pre.normalize ? (x - mean) / pre.std[c] : x));
}

/**
 * The dataset's mean colour in the model's input units, per channel: 0 after normalisation (the preprocessor's
 * mean), or that mean itself when the model does not normalise. What the RISE and deletion papers' hidden pixels
 * become (they multiply or replace the normalised image with 0).
 */
export function meanColourValue(pre: PreprocessorConfig): number[] {
  return pre.mean.map((mean) => (pre.normalize ? 0 : mean));
}

/** Builds the target for `image` (preprocessed for `model`) and text `request.text` of `request.texts`. */
export async function perturbationTarget(model: ModelAdapter, image: PreprocessedImage, request: PerturbationRequest): Promise<PerturbationTarget> {
  const { texts, text } = request;
  if (!Number.isInteger(text) || text < 0 || text >= texts.length) throw badInput(`Text ${text} is not one of the ${texts.length} texts given.`, `Pick a text from 0 to ${texts.length - 1}.`);
  const kind = request.score ?? model.defaultScoreKind(texts.length);
  const { height, width } = image.outputSize;
  const { rows, cols } = model.perturbationGrid(image.outputSize);
  const score = await model.perturbationScore(image, texts, text, kind);
  return {
    image: { data: image.pixels, height, width, rows, cols },
    fills: {
      gray: { kind: 'gray', value: greyValue(model.folder.preprocessor) },
      blur: { kind: 'blur' },
      mean: { kind: 'gray', value: meanColourValue(model.folder.preprocessor) },
    },
    score,
    kind,
    source: image,
  };
}
