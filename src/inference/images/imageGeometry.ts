/**
 * The size arithmetic of CLIPImageProcessor, reproduced exactly (including its integer truncation and floor
 * division), because an off-by-one crop shifts every attention map by a patch fraction.
 */
import type { Size2D } from '../model/preprocessorConfig';

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

/**
 * HF's center_crop on interleaved RGB bytes: top = (h - ch) // 2, left = (w - cw) // 2 (floor division, so
 * negative when the image is smaller than the crop), and pixels outside the image are zero (black).
 */
export function centerCropRgb(rgb: Uint8Array, width: number, height: number, crop: Size2D): Uint8Array {
  const top = Math.floor((height - crop.height) / 2);
  const left = Math.floor((width - crop.width) / 2);
  const out = new Uint8Array(crop.height * crop.width * 3);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(crop.width, width - left);
  if (x1 <= x0) return out;
  for (let y = 0; y < crop.height; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= height) continue;
    const from = (sy * width + left + x0) * 3;
    out.set(rgb.subarray(from, from + (x1 - x0) * 3), (y * crop.width + x0) * 3);
  }
  return out;
}
