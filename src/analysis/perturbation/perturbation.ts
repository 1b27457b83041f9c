/**
 * What the perturbation analyses (occlusion, RISE, deletion/insertion curves) share: the image and its patch
 * grid, the fill that replaces hidden pixels, and the batched calls of the caller's scoring function. The
 * model stays behind the callback, so these analyses work for any model that maps an image to one number.
 */
import { badInput, LensError } from '../../core/errors';
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';
import { boxBlur } from './boxBlur';
import { requireLength, requirePositiveInt } from '../shape';

/** One preprocessed (already normalised) image, channels x height x width row-major, and its patch grid. */
export interface PatchedImage {
  data: Float32Array;
  height: number;
  width: number;
  /** Patch grid; patch row r spans pixel rows floor(r·height/rows) to floor((r+1)·height/rows). */
  rows: number;
  cols: number;
}

/**
 * Scores `count` images laid one after another in `batch` (each channels x height x width), one number per
 * image, e.g. the similarity to a text or a class probability (or several per image, image-major, where the
 * analysis asks for several outputs). Each call gets a fresh buffer.
 */
export type ScoreBatch = (batch: Float32Array, count: number) => Promise<Float32Array>;

/**
 * What hidden pixels become. 'gray': a constant per channel, normally the normalised value of mid-grey
 * ((0.5 - mean) / std per channel). 'blur': the box-blurred image (`radius` in pixels; default half the
 * larger patch side), which hides detail but keeps the colours.
 */
export type Fill = { kind: 'gray'; value: ArrayLike<number> } | { kind: 'blur'; radius?: number };

/** Options of the batched perturbation analyses. */
export interface BatchOptions extends LongRunOptions {
  /** Images per call of the scoring function. Default 8. */
  batchSize?: number;
}

/** The number of channels of `image`, after checking that its data and grid fit together. */
export function channelsOf(image: PatchedImage): number {
  const { data, height, width, rows, cols } = image;
  requirePositiveInt(height, 'image height');
  requirePositiveInt(width, 'image width');
  requirePositiveInt(rows, 'patch grid rows');
  requirePositiveInt(cols, 'patch grid cols');
  if (rows > height || cols > width) throw new LensError('internal', `A ${rows}x${cols} patch grid does not fit a ${height}x${width} image.`);
  const channels = data.length / (height * width);
  requirePositiveInt(channels, `image of ${height}x${width} pixels with ${data.length} values: channels`);
  return channels;
}

/** First and one-past-last pixel of patch `index` of `count` along a side of `size` pixels. */
export function patchSpan(index: number, count: number, size: number): [number, number] {
  return [Math.floor((index * size) / count), Math.floor(((index + 1) * size) / count)];
}

/** The image with every pixel hidden: the constant fill, or the blurred image. */
export function hiddenImage(image: PatchedImage, fill: Fill): Float32Array {
  const channels = channelsOf(image);
  const { height, width } = image;
  if (fill.kind === 'blur') {
    const side = Math.max(height / image.rows, width / image.cols);
    return boxBlur(image.data, channels, height, width, fill.radius ?? Math.max(1, Math.round(side / 2)));
  }
  requireLength(fill.value, channels, 'gray fill value (one per channel)');
  const out = new Float32Array(image.data.length);
  for (let c = 0; c < channels; c++) out.fill(fill.value[c], c * height * width, (c + 1) * height * width);
  return out;
}

/** Copies the pixels of patches rows [r0, r1) x cols [c0, c1) of every channel from `source` into `target`. */
export function copyPatches(image: PatchedImage, source: Float32Array, target: Float32Array, r0: number, r1: number, c0: number, c1: number): void {
  const { height, width, rows, cols } = image;
  const [y0] = patchSpan(r0, rows, height);
  const [, y1] = patchSpan(r1 - 1, rows, height);
  const [x0] = patchSpan(c0, cols, width);
  const [, x1] = patchSpan(c1 - 1, cols, width);
  for (let plane = 0; plane < target.length; plane += height * width) {
    for (let y = y0; y < y1; y++) {
      const start = plane + y * width;
      target.set(source.subarray(start + x0, start + x1), start + x0);
    }
  }
}

/** The batch size option, checked. */
function batchSizeOf(options: BatchOptions): number {
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw badInput(`Batch size ${batchSize} is not a positive whole number.`, 'Use a batch size of 1 or more.');
  return batchSize;
}

/**
 * Scores `count` images of `imageSize` values each: `build(index, target)` writes image `index` into
 * `target`, called in index order; `score` gets them `batchSize` at a time and returns `outputs` scores per
 * image, image-major (several numbers per image: a generated answer's token log-probabilities). Checks for
 * cancellation before and after every batch, reports progress under `stage`, and returns the scores in index
 * order, image-major.
 */
export async function scoreInBatches(
  count: number,
  imageSize: number,
  build: (index: number, target: Float32Array) => void,
  score: ScoreBatch,
  options: BatchOptions,
  stage: string,
  outputs = 1,
): Promise<Float64Array> {
  const batchSize = batchSizeOf(options);
  const scores = new Float64Array(count * outputs);
  for (let first = 0; first < count; first += batchSize) {
    throwIfCancelled(options.signal);
    const n = Math.min(batchSize, count - first);
    const batch = new Float32Array(n * imageSize);
    for (let i = 0; i < n; i++) build(first + i, batch.subarray(i * imageSize, (i + 1) * imageSize));
    const result = await score(batch, n);
    throwIfCancelled(options.signal);
    if (result.length !== n * outputs) throw new LensError('internal', `${stage}: the scoring function returned ${result.length} scores for ${n} images of ${outputs} each.`);
    for (let i = 0; i < n * outputs; i++) {
      if (!Number.isFinite(result[i])) throw new LensError('internal', `${stage}: the scoring function returned ${result[i]} for image ${first + Math.floor(i / outputs)}.`);
      scores[first * outputs + i] = result[i];
    }
    options.onProgress?.({ stage, done: first + n, total: count });
  }
  return scores;
}
