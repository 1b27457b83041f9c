/**
 * Image to pixel tensor, step for step as HF's CLIPImageProcessor: convert to RGB, shortest-edge resize,
 * centre crop, rescale, normalise. Decoding and its PIL-compatible RGB rules live in imageDecode.ts.
 */
import { decodeRgb, type ResizeKernel, type ResizePlan } from './imageDecode';
import { centerCropRgb, resizeOutputSize } from './imageGeometry';
import type { PreprocessorConfig, ResampleFilter, Size2D } from '../model/preprocessorConfig';

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
}

/** Options for preprocessImage. */
export interface PreprocessOptions {
  /** Refuse larger images before decoding them (default 50 megapixels). */
  maxPixels?: number;
}

/** The default pixel limit: far above any photo, far below what would exhaust memory when decoded. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/** sharp's kernels for PIL's filters; its cubic is Catmull-Rom (a = -0.5), the same as PIL's BICUBIC. */
const KERNELS: Record<ResampleFilter, ResizeKernel> = {
  nearest: 'nearest',
  bilinear: 'linear',
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

/**
 * Decodes `source` (a path or file bytes) and turns it into the tensor `cfg` describes. The image is made RGB
 * even when `cfg.convertRgb` is false: the graphs take three channels, and HF would fail on a grey image there.
 */
export async function preprocessImage(
  source: string | Uint8Array,
  cfg: PreprocessorConfig,
  opts: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  // Decode, resize and crop in one sharp pipeline; a crop that pads (the image is smaller) or that follows an
  // enlarging resize is done here afterwards.
  const plan = (width: number, height: number): ResizePlan => {
    const size = cfg.resize ? resizeOutputSize(width, height, cfg.shortestEdge) : { width, height };
    return { size, kernel: KERNELS[cfg.resample], crop: cfg.centerCrop ? centerCropBox(size.width, size.height, cfg.cropSize) : undefined };
  };
  const image = await decodeRgb(source, opts.maxPixels ?? DEFAULT_MAX_PIXELS, plan);
  const notes: string[] = [];
  if (image.frames > 1) notes.push(`The image has ${image.frames} frames; the first frame was used.`);

  let rgb: Uint8Array = image.data;
  let size: Size2D = { height: image.height, width: image.width };
  if (cfg.centerCrop && !image.cropped) {
    if (size.width < cfg.cropSize.width || size.height < cfg.cropSize.height) {
      notes.push(`The image (${size.width}x${size.height} after resizing) is smaller than the ${cfg.cropSize.width}x${cfg.cropSize.height} crop; the rest is padded with black, as the reference processor does.`);
    }
    rgb = centerCropRgb(rgb, size.width, size.height, cfg.cropSize);
    size = cfg.cropSize;
  }
  return {
    pixels: toNormalizedChw(rgb, size, cfg),
    outputSize: { height: size.height, width: size.width },
    width: image.sourceWidth,
    height: image.sourceHeight,
    format: image.format,
    notes,
  };
}

/** HF's centre crop offsets (floor division, as centerCropRgb) when the crop lies inside the image; undefined when it pads. */
function centerCropBox(width: number, height: number, crop: Size2D): ResizePlan['crop'] {
  if (width < crop.width || height < crop.height) return undefined;
  return { left: Math.floor((width - crop.width) / 2), top: Math.floor((height - crop.height) / 2), width: crop.width, height: crop.height };
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
