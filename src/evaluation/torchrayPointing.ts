/**
 * The pointing game as TorchRay's benchmark plays it (facebookresearch/TorchRay, torchray/benchmark/pointing_game.py
 * and examples/attribution_benchmark.py), so figures can be set beside published tables: the map is resized to
 * the image's pixels bilinearly (align_corners=False, as its resize_saliency), the point is the first pixel of the
 * maximum in row-major order (torch.argmax), and it hits when a pixel of the class's mask (every box of objects of
 * that class) lies closer than 15 pixels; the accuracy is the mean over classes of each class's hit rate.
 * Departures: pixels outside the patch grid's footprint (a centre crop leaves some) cannot be the point, and the
 * mean is over the classes that occur, where TorchRay's fixed class list counts an absent class as 0.
 */
import type { PreprocessorConfig } from '../inference/model/preprocessorConfig';
import { patchRect, type Rect } from './pointing';

/** TorchRay's default tolerance, in pixels. */
export const TORCHRAY_TOLERANCE = 15;

/**
 * The pixel (x, y) of the original image where `map` (rows x cols, over the model's input) is largest once resized
 * bilinearly to the image's pixels, the first in row-major order among equal values.
 */
export function upsampledArgmax(map: Float32Array, grid: { rows: number; cols: number }, image: { width: number; height: number }, pre: PreprocessorConfig): { x: number; y: number } {
  const { rows, cols } = grid;
  const first = patchRect({ row: 0, col: 0 }, grid, image, pre);
  const last = patchRect({ row: rows - 1, col: cols - 1 }, grid, image, pre);
  const [cellW, cellH] = [first.x1 - first.x0, first.y1 - first.y0];
  // Source coordinate of a pixel centre, align_corners=False: (p + 0.5) / scale - 0.5, clamped at the edges.
  const source = (p: number, origin: number, cell: number, n: number) => Math.min(n - 1, Math.max(0, (p + 0.5 - origin) / cell - 0.5));
  const at = (r: number, c: number) => map[r * cols + c];
  let best = { x: 0, y: 0, value: -Infinity };
  for (let y = Math.max(0, Math.ceil(first.y0 - 0.5)); y < Math.min(image.height, last.y1 - 0.5); y++) {
    const v = source(y, first.y0, cellH, rows);
    const [r0, fy] = [Math.floor(v), v - Math.floor(v)];
    const r1 = Math.min(rows - 1, r0 + 1);
    for (let x = Math.max(0, Math.ceil(first.x0 - 0.5)); x < Math.min(image.width, last.x1 - 0.5); x++) {
      const u = source(x, first.x0, cellW, cols);
      const [c0, fx] = [Math.floor(u), u - Math.floor(u)];
      const c1 = Math.min(cols - 1, c0 + 1);
      const value = (1 - fy) * ((1 - fx) * at(r0, c0) + fx * at(r0, c1)) + fy * ((1 - fx) * at(r1, c0) + fx * at(r1, c1));
      if (value > best.value) best = { x, y, value };
    }
  }
  return { x: best.x, y: best.y };
}

/** Whether a pixel of any of `boxes` (pixels [x0, x1) x [y0, y1)) lies closer than `tolerance` to `point`. */
export function hitsWithin(point: { x: number; y: number }, boxes: Rect[], tolerance = TORCHRAY_TOLERANCE): boolean {
  return boxes.some((box) => {
    const dx = point.x - Math.min(Math.max(point.x, Math.ceil(box.x0)), Math.ceil(box.x1) - 1);
    const dy = point.y - Math.min(Math.max(point.y, Math.ceil(box.y0)), Math.ceil(box.y1) - 1);
    return dx * dx + dy * dy < tolerance * tolerance;
  });
}

/** Hits and misses per class, and TorchRay's accuracy: the mean over the classes seen of hits / (hits + misses). */
export class PerClassPointing {
  private readonly counts = new Map<string, { hits: number; total: number }>();

  /** Counts one pointing result for `className`. */
  add(className: string, hit: boolean): void {
    const count = this.counts.get(className) ?? { hits: 0, total: 0 };
    count.hits += hit ? 1 : 0;
    count.total++;
    this.counts.set(className, count);
  }

  /** The mean of the per-class hit rates, or null before any result. */
  accuracy(): number | null {
    if (this.counts.size === 0) return null;
    return [...this.counts.values()].reduce((sum, c) => sum + c.hits / c.total, 0) / this.counts.size;
  }
}
