/**
 * Occlusion attribution (Zeiler & Fergus 2014), model-agnostic: hide a square window of patches, score the
 * image again, and credit each patch with the score drop of the windows that covered it.
 */
import { badInput } from '../../core/errors';
import { channelsOf, copyPatches, hiddenImage, scoreInBatches, type BatchOptions, type Fill, type PatchedImage, type ScoreBatch } from './perturbation';

/** Occlusion choices; every field has the default shown. */
export interface OcclusionOptions extends BatchOptions {
  /** Side of the hidden square, in patches. Default 1. */
  window?: number;
  /** Step between window positions, in patches, at most the window (or patches would go uncovered). Default 1. */
  stride?: number;
}

/** An occlusion map and what it cost. */
export interface OcclusionResult {
  /** rows x cols, row-major: baseline score minus occluded score, averaged over the windows covering the patch. */
  map: Float32Array;
  /** Score of the unoccluded image. */
  baseline: number;
  /** Images scored, the unoccluded one included. */
  forwardPasses: number;
}

/**
 * Window starts 0, stride, 2·stride, … that fit in `count` patches; the last fitting start is added when the
 * stride skips it, so that the patches at the far edge are covered too.
 */
function windowStarts(count: number, window: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s <= count - window; s += stride) starts.push(s);
  if (starts[starts.length - 1] !== count - window) starts.push(count - window);
  return starts;
}

function checkStep(value: number, name: string, limit: number, why: string): void {
  if (!Number.isInteger(value) || value <= 0 || value > limit) throw badInput(`Occlusion ${name} ${value} is not a whole number from 1 to ${limit} ${why}.`, `Use a ${name} from 1 to ${limit}.`);
}

/**
 * Occlusion map of one image: scores the image, then each copy with a window x window square of patches
 * replaced by `fill`, and returns the average score drop per patch (positive: hiding the patch lowers the
 * score). The image itself and all the windows go through `score` in batches.
 */
export async function occlusionMap(image: PatchedImage, fill: Fill, score: ScoreBatch, options: OcclusionOptions = {}): Promise<OcclusionResult> {
  return (await occlusionMaps(image, fill, score, 1, options))[0];
}

/** occlusionMap for a score of `outputs` numbers per image (image-major): one map per output, from the same passes. */
export async function occlusionMaps(image: PatchedImage, fill: Fill, score: ScoreBatch, outputs: number, options: OcclusionOptions = {}): Promise<OcclusionResult[]> {
  channelsOf(image);
  const { rows, cols } = image;
  const window = options.window ?? 1;
  const stride = options.stride ?? 1;
  checkStep(window, 'window', Math.min(rows, cols), `(the ${rows}x${cols} patch grid)`);
  // A stride longer than the window would leave patches that no window covers.
  checkStep(stride, 'stride', window, '(the window)');
  const hidden = hiddenImage(image, fill);
  const windows = windowStarts(rows, window, stride).flatMap((r) => windowStarts(cols, window, stride).map((c) => [r, c]));
  // Image 0 is the unoccluded baseline; image k > 0 hides window k - 1.
  const scores = await scoreInBatches(windows.length + 1, image.data.length, (index, target) => {
    target.set(image.data);
    if (index === 0) return;
    const [r, c] = windows[index - 1];
    copyPatches(image, hidden, target, r, r + window, c, c + window);
  }, score, options, 'occlusion', outputs);

  return Array.from({ length: outputs }, (_, o) => {
    const at = (imageIndex: number) => scores[imageIndex * outputs + o];
    const sum = new Float64Array(rows * cols);
    const covered = new Uint32Array(rows * cols);
    windows.forEach(([r0, c0], k) => {
      for (let r = r0; r < r0 + window; r++) {
        for (let c = c0; c < c0 + window; c++) {
          sum[r * cols + c] += at(0) - at(k + 1);
          covered[r * cols + c]++;
        }
      }
    });
    const map = Float32Array.from(sum, (s, p) => s / covered[p]);
    return { map, baseline: at(0), forwardPasses: windows.length + 1 };
  });
}
