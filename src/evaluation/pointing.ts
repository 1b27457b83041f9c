/**
 * Where a patch map's patches lie on a shapes-world scene, for the pointing game (does the map's maximum fall
 * on a patch that touches the object's bounding box?) and the energy in the box (how much of each patch the
 * box covers). Patches are mapped back to image pixels through the model's own preprocessing (its resize,
 * centre crop).
 */
import { processorResizeSize } from '../inference/images/imageGeometry';
import type { PreprocessorConfig } from '../inference/model/preprocessorConfig';

/** A rectangle in image pixels, [x0, x1) x [y0, y1). */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The index (row-major) of the largest value of a rows x cols map. */
export function argmaxCell(map: number[][]): { row: number; col: number } {
  let best = { row: 0, col: 0 };
  map.forEach((values, row) => values.forEach((v, col) => {
    if (v > map[best.row][best.col]) best = { row, col };
  }));
  return best;
}

/** The pixels of the original image that patch (row, col) of a rows x cols grid covers. */
export function patchRect(cell: { row: number; col: number }, grid: { rows: number; cols: number }, image: { width: number; height: number }, pre: PreprocessorConfig): Rect {
  const resized = pre.resize ? processorResizeSize(image.width, image.height, pre) : { width: image.width, height: image.height };
  const crop = pre.centerCrop ? pre.cropSize : resized;
  const left = Math.floor((resized.width - crop.width) / 2);
  const top = Math.floor((resized.height - crop.height) / 2);
  const sx = image.width / resized.width;
  const sy = image.height / resized.height;
  const pw = crop.width / grid.cols;
  const ph = crop.height / grid.rows;
  return {
    x0: (left + cell.col * pw) * sx,
    x1: (left + (cell.col + 1) * pw) * sx,
    y0: (top + cell.row * ph) * sy,
    y1: (top + (cell.row + 1) * ph) * sy,
  };
}

/** True when the rectangles overlap or share an edge. */
export function touches(a: Rect, b: Rect): boolean {
  return a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;
}

/** The bounding box of a shapes-world object as a Rect. */
export function boxRect(box: { x: number; y: number; size: number }): Rect {
  return { x0: box.x, y0: box.y, x1: box.x + box.size, y1: box.y + box.size };
}

/** The fraction of rectangle `a` that `b` covers, 0..1. */
export function coveredShare(a: Rect, b: Rect): number {
  const w = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const h = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  return (w * h) / ((a.x1 - a.x0) * (a.y1 - a.y0));
}

/**
 * The fraction of rectangle `a` that the union of `boxes` covers, 0..1: exact, over the cells between the boxes'
 * edges (overlapping boxes count once).
 */
export function unionCoveredShare(a: Rect, boxes: readonly Rect[]): number {
  const clipped = boxes.map((b) => ({ x0: Math.max(a.x0, b.x0), x1: Math.min(a.x1, b.x1), y0: Math.max(a.y0, b.y0), y1: Math.min(a.y1, b.y1) })).filter((b) => b.x0 < b.x1 && b.y0 < b.y1);
  if (clipped.length <= 1) return clipped.length === 0 ? 0 : coveredShare(a, clipped[0]);
  const xs = [...new Set(clipped.flatMap((b) => [b.x0, b.x1]))].sort((p, q) => p - q);
  const ys = [...new Set(clipped.flatMap((b) => [b.y0, b.y1]))].sort((p, q) => p - q);
  let area = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const [cx, cy] = [(xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2];
      if (clipped.some((b) => b.x0 <= cx && cx < b.x1 && b.y0 <= cy && cy < b.y1)) area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
    }
  }
  return area / ((a.x1 - a.x0) * (a.y1 - a.y0));
}

/** One object (or every box of a phrase) seen through a patch grid: which patches touch a box, and how much of each the boxes cover. */
export interface ObjectOnGrid {
  touches(row: number, col: number): boolean;
  share(row: number, col: number): number;
}

/** `boxes` (image pixels) on the `grid` of an image of `image` size preprocessed by `pre`: a patch counts when it touches any. */
export function boxesOnGrid(boxes: readonly Rect[], grid: { rows: number; cols: number }, image: { width: number; height: number }, pre: PreprocessorConfig): ObjectOnGrid {
  const rect = (row: number, col: number) => patchRect({ row, col }, grid, image, pre);
  return {
    touches: (row, col) => boxes.some((box) => touches(rect(row, col), box)),
    share: (row, col) => Math.min(1, unionCoveredShare(rect(row, col), boxes)),
  };
}

/** `box` (a shapes-world object's) on the `grid` of an image of `image` size preprocessed by `pre`. */
export function objectOnGrid(box: { x: number; y: number; size: number }, grid: { rows: number; cols: number }, image: { width: number; height: number }, pre: PreprocessorConfig): ObjectOnGrid {
  return boxesOnGrid([boxRect(box)], grid, image, pre);
}
