/**
 * Image resizing that gives Pillow's `Image.resize(size, filter)` byte for byte, because HF's image processors
 * resize with Pillow: a separable convolution, horizontal pass first, each pass rounded to 8 bits, weights in
 * 22-bit fixed point, the filter widened by the scale when shrinking (Pillow's libImaging/Resample.c), and NEAREST
 * as Pillow's affine scale (an index stepped by the scale in float64). Only a window of the resized image is
 * computed, so a centre crop of an enormous resize (a 1 x 48000 image brought to a short side of 224) costs only
 * the crop.
 */
import type { ResampleFilter, Size2D } from '../model/preprocessorConfig';

/** A rectangle of the resized image, in its pixels. */
export interface PixelWindow {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface Kernel {
  support: number;
  weight: (x: number) => number;
}

const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

/** Pillow's filters and supports; HAMMING's constants are C floats there (0.54f, 0.46f), hence fround. */
const KERNELS: Record<Exclude<ResampleFilter, 'nearest'>, Kernel> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  hamming: {
    support: 1,
    weight: (x) => {
      const a = Math.abs(x);
      if (a === 0) return 1;
      if (a >= 1) return 0;
      return sinc(a) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(Math.PI * a));
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = Math.abs(x);
      const c = -0.5;
      if (a < 1) return ((c + 2) * a - (c + 3)) * a * a + 1;
      if (a < 2) return (((a - 5) * a + 8) * a - 4) * c;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Per output pixel of one axis: its first source pixel, how many it reads, and their fixed-point weights. */
interface AxisTaps {
  first: Int32Array;
  count: Int32Array;
  weights: Int32Array;
  stride: number;
}

/** The taps of output pixels [from, to) of an axis resized from `inSize` to `outSize`. */
function axisTaps(inSize: number, outSize: number, from: number, to: number, kernel: Kernel): AxisTaps {
  // Pillow's box is (0, 0, width, height) in C floats; a size over 2^24 rounds there too.
  const scale = Math.fround(inSize) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = kernel.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const n = to - from;
  const taps: AxisTaps = { first: new Int32Array(n), count: new Int32Array(n), weights: new Int32Array(n * stride), stride };
  const raw = new Float64Array(stride);
  for (let i = 0; i < n; i++) {
    const center = (from + i + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < count; x++) {
      raw[x] = kernel.weight((x + xmin - center + 0.5) / filterScale);
      total += raw[x];
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? raw[x] / total : raw[x];
      taps.weights[i * stride + x] = Math.trunc(w < 0 ? w * ONE - 0.5 : w * ONE + 0.5);
    }
    taps.first[i] = xmin;
    taps.count[i] = count;
  }
  return taps;
}

/** A fixed-point sum back to a byte. The sums are int32 (Math.imul, | 0) as in Pillow's C, which also makes the loops faster. */
const clip8 = (sum: number): number => {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * `window` of interleaved RGB `rgb` (size `from`) resized to `to` with Pillow's `filter`, as Pillow computes
 * the whole resize (then cropped); the window must lie inside `to`.
 */
export function pilResizeRgb(rgb: Uint8Array, from: Size2D, to: Size2D, filter: ResampleFilter, window: PixelWindow = { left: 0, top: 0, ...to }): Uint8Array {
  if (window.left < 0 || window.top < 0 || window.left + window.width > to.width || window.top + window.height > to.height) {
    throw new RangeError(`pilResizeRgb: window ${JSON.stringify(window)} is outside ${to.width}x${to.height}`);
  }
  // A resize to the same size changes no pixel (Pillow copies the image): the whole image is its own window.
  if (from.width === to.width && from.height === to.height && window.width === to.width && window.height === to.height) return rgb;
  if (filter === 'nearest') return nearestRgb(rgb, from, to, window);
  const kernel = KERNELS[filter];
  // Pillow skips the pass of an axis whose size does not change (no rounding there either).
  const rows = to.height !== from.height ? axisTaps(from.height, to.height, window.top, window.top + window.height, kernel) : undefined;
  const firstRow = rows ? rows.first[0] : window.top;
  const lastRow = rows ? rows.first[window.height - 1] + rows.count[window.height - 1] : window.top + window.height;
  const columns = to.width !== from.width ? axisTaps(from.width, to.width, window.left, window.left + window.width, kernel) : undefined;
  const band = columns ? horizontalPass(rgb, from.width, firstRow, lastRow, columns, window.width) : copyBand(rgb, from.width, firstRow, lastRow, window.left, window.width);
  return rows ? verticalPass(band, window.width, firstRow, rows) : band;
}

/** Source rows [firstRow, lastRow) resampled along x to the window's columns, rounded to 8 bits. */
function horizontalPass(rgb: Uint8Array, width: number, firstRow: number, lastRow: number, taps: AxisTaps, outWidth: number): Uint8Array {
  const out = new Uint8Array((lastRow - firstRow) * outWidth * 3);
  const { first, count, weights, stride } = taps;
  for (let y = firstRow; y < lastRow; y++) {
    const rowStart = y * width * 3;
    let at = (y - firstRow) * outWidth * 3;
    for (let x = 0; x < outWidth; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const k = x * stride;
      const end = k + count[x];
      let p = rowStart + first[x] * 3;
      for (let t = k; t < end; t++, p += 3) {
        const w = weights[t];
        r = (r + Math.imul(rgb[p], w)) | 0;
        g = (g + Math.imul(rgb[p + 1], w)) | 0;
        b = (b + Math.imul(rgb[p + 2], w)) | 0;
      }
      out[at++] = clip8(r);
      out[at++] = clip8(g);
      out[at++] = clip8(b);
    }
  }
  return out;
}

/** The band's rows resampled along y to the window's rows; `band` starts at source row `firstRow`. */
function verticalPass(band: Uint8Array, width: number, firstRow: number, taps: AxisTaps): Uint8Array {
  const rows = taps.first.length;
  const out = new Uint8Array(rows * width * 3);
  const line = width * 3;
  const { first, count, weights, stride } = taps;
  for (let y = 0; y < rows; y++) {
    const k = y * stride;
    const start = (first[y] - firstRow) * line;
    const end = k + count[y];
    const row = y * line;
    for (let i = 0; i < line; i++) {
      let sum = HALF;
      let p = start + i;
      for (let t = k; t < end; t++, p += line) sum = (sum + Math.imul(band[p], weights[t])) | 0;
      out[row + i] = clip8(sum);
    }
  }
  return out;
}

function copyBand(rgb: Uint8Array, width: number, firstRow: number, lastRow: number, left: number, outWidth: number): Uint8Array {
  const out = new Uint8Array((lastRow - firstRow) * outWidth * 3);
  for (let y = firstRow; y < lastRow; y++) {
    const from = (y * width + left) * 3;
    out.set(rgb.subarray(from, from + outWidth * 3), (y - firstRow) * outWidth * 3);
  }
  return out;
}

/** Pillow's NEAREST resize: source index floor(0.5 * scale + i * scale), the sum stepped in float64 as Pillow does. */
function nearestRgb(rgb: Uint8Array, from: Size2D, to: Size2D, window: PixelWindow): Uint8Array {
  const xs = nearestIndices(from.width, to.width, window.left, window.width);
  const ys = nearestIndices(from.height, to.height, window.top, window.height);
  const out = new Uint8Array(window.width * window.height * 3);
  for (let y = 0; y < window.height; y++) {
    if (ys[y] < 0) continue;
    for (let x = 0; x < window.width; x++) {
      if (xs[x] < 0) continue;
      const p = (ys[y] * from.width + xs[x]) * 3;
      const q = (y * window.width + x) * 3;
      out[q] = rgb[p];
      out[q + 1] = rgb[p + 1];
      out[q + 2] = rgb[p + 2];
    }
  }
  return out;
}

/** Source indices of output pixels [start, start + n); -1 where Pillow leaves the pixel black (outside the source). */
function nearestIndices(inSize: number, outSize: number, start: number, n: number): Int32Array {
  const step = Math.fround(inSize) / outSize;
  const out = new Int32Array(n);
  let position = step * 0.5;
  for (let i = 0; i < start; i++) position += step;
  for (let i = 0; i < n; i++, position += step) {
    const index = position < 0 ? -1 : Math.trunc(position);
    out[i] = index < inSize ? index : -1;
  }
  return out;
}
