/**
 * MM-SHAP (Parcalabescu & Frank 2023, "MM-SHAP: A Performance-agnostic Metric for Measuring Multimodal
 * Contributions in Vision and Language Models & Tasks"; the authors' code is Heidelberg-NLP/MM-SHAP,
 * mm-shap_clip_dataset.py): Shapley values over the text tokens and a grid of image patches together, and each
 * modality's share of their absolute sum. T-SHAP = Σ|φ_text| / (Σ|φ_text| + Σ|φ_image|), V-SHAP = 1 - T-SHAP.
 */
import { badInput } from '../../core/errors';
import { hiddenImage } from './perturbation';
import { coalitionBatch, featureCount, scorePairBatch, type PairFeatures, type PairScoreBatch } from './pairPerturbation';
import { permutationShapley, type PermutationShapleyOptions, type ShapleyResult } from './shapley';

/** MM-SHAP of one pair. */
export interface MmShapPair {
  shapley: ShapleyResult;
  /** Shapley values of the hideable text tokens (PairText.positions order). */
  text: Float64Array;
  /** Shapley values of the image patches, rows x cols row-major. */
  image: Float64Array;
  /** The textual and visual shares of Σ|φ|. */
  tShap: number;
  vShap: number;
}

/**
 * The side of the authors' patch grid: ceil(sqrt(text tokens)), the start and end tokens counted, so that the image
 * has about as many features as the text (mm-shap_clip_dataset.py: `p = int(math.ceil(np.sqrt(nb_text_tokens)))`).
 */
export function authorsGrid(textTokens: number): number {
  return Math.ceil(Math.sqrt(textTokens));
}

/** T-SHAP and V-SHAP from the text and image Shapley values: each modality's share of the absolute values' sum. */
export function modalityShares(text: ArrayLike<number>, image: ArrayLike<number>): { tShap: number; vShap: number } {
  const sum = (values: ArrayLike<number>) => Array.from(values).reduce((s, v) => s + Math.abs(v), 0);
  const [t, v] = [sum(text), sum(image)];
  if (t + v === 0) throw badInput('Every Shapley value of the pair is 0: hiding its tokens and patches never changes the score, so neither modality has a share.', 'Check that the masks reach the model (the mask token, the fill), or choose another pair.');
  return { tShap: t / (t + v), vShap: v / (t + v) };
}

/** MM-SHAP of one pair by permutation sampling over its text tokens and image patches. */
export async function mmShap(features: PairFeatures, score: PairScoreBatch, options: PermutationShapleyOptions = {}): Promise<MmShapPair> {
  const hidden = hiddenImage(features.image, features.fill);
  const shapley = await permutationShapley(featureCount(features), (coalitions, count) =>
    scorePairBatch(score, coalitionBatch(features, coalitions, count, hidden), 'MM-SHAP').then((scores) => Float64Array.from(scores)), options);
  const words = features.text.positions.length;
  const text = shapley.values.slice(0, words);
  const image = shapley.values.slice(words);
  return { shapley, text, image, ...modalityShares(text, image) };
}
