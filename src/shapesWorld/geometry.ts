/**
 * The contract's shape definitions as point-in-shape tests, in continuous pixel coordinates: pixel (i, j)
 * covers [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5).
 */
import type { Shape } from './vocab';

/** Whether point (x, y) lies in `shape` drawn in the box of side `s` centred at (cx, cy). */
export function insideShape(shape: Shape, cx: number, cy: number, s: number, x: number, y: number): boolean {
  const dx = Math.abs(x - cx);
  const dy = Math.abs(y - cy);
  const half = s / 2;
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= half * half;
    case 'square':
      return dx <= 0.425 * s && dy <= 0.425 * s;
    case 'triangle': {
      // Apex at the top middle, base of width s along the bottom: half-width grows by 1/2 per unit down.
      const depth = y - (cy - half);
      return depth >= 0 && depth <= s && dx <= depth / 2;
    }
    case 'cross': {
      const arm = 0.15 * s;
      return (dx <= arm && dy <= half) || (dy <= arm && dx <= half);
    }
  }
}
