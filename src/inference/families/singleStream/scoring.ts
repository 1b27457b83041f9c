/**
 * A single-stream model's scores outside a full analysis. It has no text embedding to compare, so zero-shot
 * labels are scored by the image-text matching head (each label's prompts with the image, the matching
 * probability averaged over the templates), and the perturbation methods explain the matching probability.
 */
import type { ScoreBatch } from '../../../analysis/perturbation/perturbation';
import { badInput } from '../../../core/errors';
import type { LongRunOptions } from '../../../core/progress';
import type { PreprocessedImage } from '../../images/preprocess';
import type { PerturbationScoreKind } from '../../tasks/perturbationScores';
import type { PromptScores } from '../../tasks/zeroShot';
import type { SingleStreamModel } from './singleStreamModel';

/** Zero-shot scores of `pixels` over `labels` labels of `templates` prompts each (label-major `texts`). */
export async function promptMatchScores(model: SingleStreamModel, pixels: PreprocessedImage[], texts: string[], labels: number, templates: number, options: LongRunOptions): Promise<PromptScores> {
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
export function itmScore(model: SingleStreamModel, image: PreprocessedImage, text: string, kind: PerturbationScoreKind): ScoreBatch {
  if (kind !== 'itm') throw badInput(`A single-stream model scores image-text pairs by matching, not by ${kind}.`, 'Score by itm.');
  const plane = image.pixels.length;
  return async (batch, count) => {
    const images = Array.from({ length: count }, (_, i) => ({ ...image, pixels: batch.subarray(i * plane, (i + 1) * plane) }));
    return (await model.scorePairs(images, [text])).itm;
  };
}
