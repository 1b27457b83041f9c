/**
 * Rasterises a scene layout into a raw RGB buffer and encodes it as PNG. Drawing is done here rather than
 * with an image library so that every pixel follows the contract's geometry exactly.
 */
import { getSharp } from '../inference/images/imageDecode';
import { insideShape } from './geometry';
import { randInt, type Rng } from './prng';
import type { SceneLayout, SceneObject } from './types';

/** The contract's bound on per-pixel background noise. */
const NOISE = 12;

/** Samples per pixel side when anti-aliasing (4 x 4 = 16 samples a pixel). */
const SUPERSAMPLE = 4;

/** Draws the scene: background grey plus noise from `noise`, then each object's flat colour. Row-major RGB. */
export function renderScene(layout: SceneLayout, noise: Rng, antialias: boolean): Buffer {
  const n = layout.size;
  const pixels = Buffer.alloc(n * n * 3);
  for (let i = 0; i < pixels.length; i++) {
    const value = layout.background[i % 3] + randInt(noise, -NOISE, NOISE);
    pixels[i] = Math.min(255, Math.max(0, value));
  }
  for (const object of layout.objects) drawObject(pixels, n, object, antialias ? SUPERSAMPLE : 1);
  return pixels;
}

/** Blends one object over what is drawn, weighting each pixel by the fraction of its samples inside the shape. */
function drawObject(pixels: Buffer, n: number, object: SceneObject, k: number): void {
  const { box, centre, shape, rgb } = object;
  const samples = k * k;
  for (let py = Math.max(0, box.y); py < Math.min(n, box.y + box.size); py++) {
    for (let px = Math.max(0, box.x); px < Math.min(n, box.x + box.size); px++) {
      let hits = 0;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < k; i++) {
          if (insideShape(shape, centre.x, centre.y, box.size, px + (i + 0.5) / k, py + (j + 0.5) / k)) hits++;
        }
      }
      if (hits === 0) continue;
      const t = hits / samples;
      const at = (py * n + px) * 3;
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(pixels[at + c] * (1 - t) + rgb[c] * t);
    }
  }
}

/** Encodes a square raw RGB buffer of side `size` as PNG (sharp loaded on first use, as the CLI needs it only here). */
export async function encodePng(pixels: Buffer, size: number): Promise<Buffer> {
  const sharp = await getSharp();
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}
