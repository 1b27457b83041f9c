/**
 * Image to pixel tensor, step for step as HF's image processors: convert to RGB, shortest-edge resize (ViLT's sides in
 * multiples of size_divisor: imageGeometry.ts; Pillow's filters, byte for byte: pilResample.ts), centre crop, rescale,
 * normalise. Decoding and its PIL-compatible RGB rules live in imageDecode.ts.
 */
import { badInput } from '../../core/errors';
import { decodeRgb, pixelCount } from './imageDecode';
import { centerCropPlacement, processorResizeSize } from './imageGeometry';
import { pilResizeRgb } from './pilResample';
import type { PreprocessorConfig, Size2D } from '../model/preprocessorConfig';

/** The model input for one image plus what the user should know about how it was made. */
export interface PreprocessedImage {
  /** CHW float32, 3 x outputSize.height x outputSize.width. */
  pixels: Float32Array;
  /** The tensor's spatial size: the crop size, or the resize size when the config does not crop. */
  outputSize: Size2D;
  /** The original image's size. */
  width: number;
  height: number;
  format: string;
  notes: string[];
  /**
   * The part of the image the tensor covers, [x0, y0, x1, y1] in the original's pixels: the centre crop's window
   * mapped back through the resize (reaching past the image where the crop pads it), or the whole image when the
   * processor does not crop. What a map over the tensor's patch grid must be drawn on.
   */
  region?: [number, number, number, number];
  /**
   * A tiled image (Idefics3): `pixels` hold `count` tiles of outputSize one after another, rows x cols of them cut
   * from the image resized to `resized`, then the whole image as one tile (rows = cols = 0: that one tile alone).
   */
  tiles?: { rows: number; cols: number; count: number; resized: Size2D };
  /**
   * A patched image (Qwen2-VL): `pixels` hold gridT x gridH x gridW patches, each flattened (channels x temporal
   * patch x patch x patch), in merge blocks; outputSize is the resized image's size.
   */
  patches?: { gridT: number; gridH: number; gridW: number };
}

/** Options for preprocessImage. */
export interface PreprocessOptions {
  /** Refuse larger images before decoding them (default 50 megapixels). */
  maxPixels?: number;
}

/** The default pixel limit: far above any photo, far below what would exhaust memory when decoded. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/** What an uncropped resize may make, in multiples of the pixel limit: room for elongated images enlarged to the model's size. */
const RESIZE_HEADROOM = 4;

/**
 * Decodes `source` (a path or file bytes) and turns it into the tensor `cfg` describes. The image is made RGB
 * even when `cfg.convertRgb` is false: the graphs take three channels, and HF would fail on a grey image there.
 * With a centre crop only the cropped part of the resize is computed, so an elongated image costs its crop.
 */
export async function preprocessImage(
  source: string | Uint8Array,
  cfg: PreprocessorConfig,
  opts: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const image = await decodeRgb(source, maxPixels);
  const from = { width: image.width, height: image.height };
  const resized = cfg.resize ? outputSize(from, cfg, typeof source === 'string' ? source : 'The image data') : from;
  const notes: string[] = [];
  if (image.frames > 1) notes.push(`The image has ${image.frames} frames; the first frame was used.`);

  let rgb: Uint8Array;
  let size: Size2D;
  // Original pixels per resized pixel: the region is reported in the original's own size.
  const [sx, sy] = [image.sourceWidth / resized.width, image.sourceHeight / resized.height];
  let region: PreprocessedImage['region'] = [0, 0, image.sourceWidth, image.sourceHeight];
  if (cfg.centerCrop) {
    const { window, x, y } = centerCropPlacement(resized.width, resized.height, cfg.cropSize);
    const [left, top] = [window.left - x, window.top - y];
    region = [left * sx, top * sy, (left + cfg.cropSize.width) * sx, (top + cfg.cropSize.height) * sy];
    if (window.width < cfg.cropSize.width || window.height < cfg.cropSize.height) {
      notes.push(`The image (${resized.width}x${resized.height} after resizing) is smaller than the ${cfg.cropSize.width}x${cfg.cropSize.height} crop; the rest is padded with black, as the reference processor does.`);
    }
    size = cfg.cropSize;
    rgb = new Uint8Array(size.width * size.height * 3);
    const part = pilResizeRgb(image.data, from, resized, cfg.resample, window);
    for (let row = 0; row < window.height; row++) rgb.set(part.subarray(row * window.width * 3, (row + 1) * window.width * 3), ((y + row) * size.width + x) * 3);
  } else {
    const label = typeof source === 'string' ? source : 'The image data';
    // An elongated image can be small and still resize to a huge one (50000x1 at shortest edge 224 is 11200000x224).
    if (resized.width * resized.height > RESIZE_HEADROOM * maxPixels) {
      throw badInput(
        `${label}: ${from.width}x${from.height} would be resized to ${resized.width}x${resized.height}, ${pixelCount(resized.width * resized.height)}, over ${RESIZE_HEADROOM} times the limit of ${pixelCount(maxPixels)}.`,
        'Crop the image to a less elongated shape first, or, if you trust it, raise the limit (the maxPixels option, or the image pixel limit setting).',
      );
    }
    size = resized;
    rgb = pilResizeRgb(image.data, from, resized, cfg.resample);
  }
  return {
    pixels: toNormalizedChw(rgb, size, cfg),
    outputSize: { height: size.height, width: size.width },
    width: image.sourceWidth,
    height: image.sourceHeight,
    format: image.format,
    notes,
    region,
  };
}

/** The size `cfg` resizes a `from` image to; ViLT's rule can leave no pixels of a very elongated image, a badInput. */
function outputSize(from: Size2D, cfg: PreprocessorConfig, label: string): Size2D {
  const size = processorResizeSize(from.width, from.height, cfg);
  if ((size.width === 0 || size.height === 0) && typeof cfg.shortestEdge === 'number') {
    throw badInput(
      `${label}: ${from.width}x${from.height} is too elongated for the model's processor, which would resize it to ${size.width}x${size.height} (shortest edge ${cfg.shortestEdge}, the long side at most ${Math.trunc((1333 / 800) * cfg.shortestEdge)}, both down to multiples of ${cfg.sizeDivisor}).`,
      'Crop the image to a less elongated shape first.',
    );
  }
  return size;
}

/**
 * Interleaved RGB bytes to planar float32, (v * factor - mean) / std per channel. HF rescales in float64 then
 * casts to float32 and normalises in float32; the lookup tables reproduce that rounding exactly.
 */
export function toNormalizedChw(rgb: Uint8Array, size: Size2D, cfg: PreprocessorConfig): Float32Array {
  const plane = size.height * size.width;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const table = channelTable(cfg, c);
    const base = c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = table[rgb[i * 3 + c]];
  }
  return out;
}

function channelTable(cfg: PreprocessorConfig, channel: number): Float32Array {
  const table = new Float32Array(256);
  const mean = Math.fround(cfg.mean[channel]);
  const std = Math.fround(cfg.std[channel]);
  for (let v = 0; v < 256; v++) {
    let x = cfg.rescale ? Math.fround(v * cfg.rescaleFactor) : v;
    if (cfg.normalize) x = Math.fround(Math.fround(x - mean) / std);
    table[v] = x;
  }
  return table;
}
