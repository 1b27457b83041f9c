/** Hiding one image token's input in a model's pixels: a box of a planar image (channels x height x width) made grey. */
import { patchSpan } from '../../../analysis/perturbation/perturbation';
import type { Size2D } from '../../model/preprocessorConfig';

/**
 * Sets cell (`row`, `col`) of a rows x cols grid over the planar image of `size` that starts at `offset` in
 * `pixels` to `grey` (one value per channel). Cell edges follow patchSpan, as the perturbation analyses cut cells.
 */
export function greyCell(pixels: Float32Array, offset: number, size: Size2D, grid: { rows: number; cols: number }, row: number, col: number, grey: number[]): void {
  const [y0, y1] = patchSpan(row, grid.rows, size.height);
  const [x0, x1] = patchSpan(col, grid.cols, size.width);
  const plane = size.height * size.width;
  for (let c = 0; c < 3; c++) {
    for (let y = y0; y < y1; y++) pixels.fill(grey[c], offset + c * plane + y * size.width + x0, offset + c * plane + y * size.width + x1);
  }
}
