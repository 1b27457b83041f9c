/**
 * The size arithmetic of CLIPImageProcessor, reproduced exactly (including its integer truncation and floor
 * division), because an off-by-one crop shifts every attention map by a patch fraction.
 */
import type { PreprocessorConfig, Size2D } from '../model/preprocessorConfig';

/**
 * HF's get_resize_output_image_size with default_to_square=False: a number makes the short side that long
 * and the long side int(size * long / short), truncated; a {height, width} is taken as is.
 */
export function resizeOutputSize(width: number, height: number, target: number | Size2D): Size2D {
  if (typeof target !== 'number') return { height: target.height, width: target.width };
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (short === target) return { height, width };
  // Same evaluation order as Python's `int(size * long / short)`, so the float rounding matches too.
  const newLong = Math.trunc((target * long) / short);
  return width <= height ? { height: newLong, width: target } : { height: target, width: newLong };
}

/** Where a centre crop takes its pixels from: `window` of the resized image goes to (`x`, `y`) of the crop. */
export interface CropPlacement {
  window: { left: number; top: number; width: number; height: number };
  x: number;
  y: number;
}

/**
 * HF's center_crop of a width x height image: top = (h - ch) // 2, left = (w - cw) // 2 (floor division, so
 * negative when the image is smaller than the crop); the part of the crop outside the image is black.
 */
export function centerCropPlacement(width: number, height: number, crop: Size2D): CropPlacement {
  const top = Math.floor((height - crop.height) / 2);
  const left = Math.floor((width - crop.width) / 2);
  const x = Math.max(0, -left);
  const y = Math.max(0, -top);
  const window = { left: left + x, top: top + y, width: Math.min(crop.width, width - left) - x, height: Math.min(crop.height, height - top) - y };
  return { window, x, y };
}

/**
 * ViltImageProcessor's get_resize_output_image_size: the short side becomes `shorter` and the long side follows,
 * the long side then capped at int(shorter x 1333 / 800) with the short one scaled alike, both rounded half up and
 * floored to multiples of `divisor`. A very elongated image gets a side of 0, as in HF.
 */
export function divisorOutputSize(width: number, height: number, shorter: number, divisor: number): Size2D {
  // Python's float arithmetic, step for step: JavaScript's doubles round each operation the same way.
  const longer = Math.trunc((1333 / 800) * shorter);
  const scale = shorter / Math.min(height, width);
  let [h, w] = height < width ? [shorter, scale * width] : [scale * height, shorter];
  if (Math.max(h, w) > longer) {
    const cap = longer / Math.max(h, w);
    [h, w] = [cap * h, cap * w];
  }
  const floor = (side: number) => Math.floor(Math.trunc(side + 0.5) / divisor) * divisor;
  return { height: floor(h), width: floor(w) };
}

/**
 * The size `cfg` resizes a width x height image to: ViLT's rule when the processor has a size_divisor and a
 * shortest edge, else HF's shortest-edge (or fixed) size. ViLT's rule can give a side of 0 (preprocess.ts refuses it).
 */
export function processorResizeSize(width: number, height: number, cfg: Pick<PreprocessorConfig, 'shortestEdge' | 'sizeDivisor'>): Size2D {
  if (cfg.sizeDivisor === undefined || typeof cfg.shortestEdge !== 'number') return resizeOutputSize(width, height, cfg.shortestEdge);
  return divisorOutputSize(width, height, cfg.shortestEdge, cfg.sizeDivisor);
}
