/**
 * Deletion and insertion as Petsiuk, Das & Saenko (2018) measured them, so figures can be set beside published
 * tables: their `CausalMetric` (eclique/RISE, evaluation.py) with the settings of their Evaluation notebook.
 * Pixels, not patches, change in the order of the saliency map (a patch map resized to the input's pixels
 * bilinearly), `step` pixels at a time (224 for a 224 x 224 input: one row's worth, so as many steps as rows);
 * deletion replaces them with 0 in the normalised input (the dataset's mean colour), insertion reveals them on
 * the image blurred by their `gkern(11, 5)` (zero padding); the scores are the raw values of the score (a
 * probability, in their code the softmax of the class), and the area is their `auc`, the trapezoid over equal
 * steps. The product's own curves (faithfulness.ts) use patches, a mid-grey canvas and scores divided by the
 * unperturbed image's; see docs/methods.md.
 */
import { badInput } from '../../core/errors';
import { resizeBilinear } from '../grid';
import { channelsOf, scoreInBatches, type BatchOptions, type PatchedImage, type ScoreBatch } from './perturbation';

/** The side of the blur kernel and its Gaussian's sigma in the authors' notebook (`klen = 11`, `ksig = 5`). */
export const PETSIUK_BLUR = { side: 11, sigma: 5 } as const;

/** A Petsiuk deletion or insertion curve. */
export interface CausalCurve {
  /** The score before the first change and after each step (steps + 1 values). */
  scores: Float32Array;
  /** Their auc: (Σ scores - first / 2 - last / 2) / steps. */
  auc: number;
  forwardPasses: number;
}

/** Choices of a curve. */
export interface CausalOptions extends BatchOptions {
  /** Pixels changed per step. Default the input's width (the authors' 224 at 224 x 224). */
  step?: number;
}

/**
 * One side of the authors' `gkern(side, sigma)`: scipy's gaussian_filter of a centred delta on `side` samples
 * (weights exp(-x² / 2σ²) for |x| <= round(4σ), normalised, and the samples beyond the edges reflected back in,
 * scipy's `reflect` mode). The 2-D kernel is the outer product of this with itself.
 */
export function gaussianKernel1d(side = PETSIUK_BLUR.side, sigma = PETSIUK_BLUR.sigma): Float64Array {
  const radius = Math.trunc(4 * sigma + 0.5);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const centre = Math.floor(side / 2);
  const reflect = (j: number) => {
    const m = ((j % (2 * side)) + 2 * side) % (2 * side);
    return m < side ? m : 2 * side - 1 - m;
  };
  const kernel = new Float64Array(side);
  // Output i correlates the weights with the reflected input; only the delta's sample counts.
  for (let i = 0; i < side; i++) for (let x = -radius; x <= radius; x++) if (reflect(i + x) === centre) kernel[i] += weights[x + radius] / total;
  return kernel;
}

/** Each channel of `image` convolved with the separable authors' kernel, zero padding (conv2d, padding side // 2). */
export function petsiukBlur(image: PatchedImage): Float32Array {
  const channels = channelsOf(image);
  const { data, height, width } = image;
  const k = gaussianKernel1d();
  const half = Math.floor(k.length / 2);
  const out = new Float32Array(data.length);
  const rows = new Float64Array(height * width);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let i = 0; i < k.length; i++) {
          const xx = x + i - half;
          if (xx >= 0 && xx < width) sum += k[i] * data[plane + y * width + xx];
        }
        rows[y * width + x] = sum;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let i = 0; i < k.length; i++) {
          const yy = y + i - half;
          if (yy >= 0 && yy < height) sum += k[i] * rows[yy * width + x];
        }
        out[plane + y * width + x] = sum;
      }
    }
  }
  return out;
}

/** The patch map resized to the input's pixels bilinearly (align_corners=False, edges clamped), height x width. */
export function pixelSaliency(map: Float32Array, image: PatchedImage): Float32Array {
  const { height, width, rows, cols } = image;
  return Float32Array.from(resizeBilinear(map, rows, cols, height, width));
}

/** The authors' auc of scores at equal steps. */
export function petsiukAuc(scores: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += scores[i];
  return (sum - scores[0] / 2 - scores[scores.length - 1] / 2) / (scores.length - 1);
}

/**
 * The deletion (from the image to 0) or insertion (from the blurred image to the image) curve of `map`, a patch map
 * of `image`; `score` gives the raw score of each image.
 */
export async function causalCurve(mode: 'deletion' | 'insertion', image: PatchedImage, map: Float32Array, score: ScoreBatch, options: CausalOptions = {}): Promise<CausalCurve> {
  const channels = channelsOf(image);
  const { data, height, width } = image;
  const pixels = height * width;
  const step = options.step ?? width;
  if (!Number.isInteger(step) || step <= 0) throw badInput(`The ${mode} step ${step} is not a positive whole number of pixels.`, 'Use a step of 1 or more.');
  const saliency = pixelSaliency(map, image);
  // Most salient first: numpy's ascending argsort flipped, so among equal values the later pixel comes first.
  const order = Array.from(saliency.keys()).sort((a, b) => saliency[b] - saliency[a] || b - a);
  const [start, finish] = mode === 'deletion' ? [data, new Float32Array(data.length)] : [petsiukBlur(image), data];
  const steps = Math.ceil(pixels / step);
  const state = Float32Array.from(start);
  const raw = await scoreInBatches(steps + 1, state.length, (i, target) => {
    // Image i has had i steps applied; images come in order, so each adds the pixels of one step.
    if (i > 0) {
      for (const p of order.slice(step * (i - 1), step * i)) for (let c = 0; c < channels; c++) state[c * pixels + p] = finish[c * pixels + p];
    }
    target.set(state);
  }, score, options, `Petsiuk ${mode}`);
  const scores = Float32Array.from(raw);
  return { scores, auc: petsiukAuc(scores), forwardPasses: steps + 1 };
}
