/**
 * A box blur of a CHW image, the 'blur' reference of the perturbation analyses: it removes the detail of a
 * region while keeping its average colour, so a masked region looks less out of distribution than a flat fill.
 */
import { LensError } from '../../core/errors';
import { requireLength, requirePositiveInt } from '../shape';

/** Blurs one line of `length` values read at `start + i * step`, writing the same positions of `out`. */
function blurLine(source: Float32Array, out: Float32Array, start: number, step: number, length: number, radius: number): void {
  // Prefix sums make the blur cost independent of the radius.
  const prefix = new Float64Array(length + 1);
  for (let i = 0; i < length; i++) prefix[i + 1] = prefix[i] + source[start + i * step];
  for (let i = 0; i < length; i++) {
    const lo = Math.max(0, i - radius);
    const hi = Math.min(length - 1, i + radius);
    out[start + i * step] = (prefix[hi + 1] - prefix[lo]) / (hi - lo + 1);
  }
}

/**
 * Each value replaced by the mean of the (2·radius+1)² square around it in its own channel. Near the border the
 * square is cut to the pixels inside the image (and the mean taken over those), rather than padded with zeros
 * that would darken the edges. `image` is channels x height x width, row-major; radius 0 returns a copy.
 */
export function boxBlur(image: Float32Array, channels: number, height: number, width: number, radius: number): Float32Array {
  requirePositiveInt(channels, 'boxBlur: channels');
  requirePositiveInt(height, 'boxBlur: height');
  requirePositiveInt(width, 'boxBlur: width');
  requireLength(image, channels * height * width, 'boxBlur: image');
  if (!Number.isInteger(radius) || radius < 0) throw new LensError('internal', `boxBlur: radius must be a non-negative integer, got ${radius}.`);
  const horizontal = new Float32Array(image.length);
  const out = new Float32Array(image.length);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < height; y++) blurLine(image, horizontal, plane + y * width, 1, width, radius);
    for (let x = 0; x < width; x++) blurLine(horizontal, out, plane + x, width, height, radius);
  }
  return out;
}
