/**
 * Dense grids on <canvas>: one canvas pixel per cell, written through ImageData in one pass. The canvas is
 * shown larger by CSS with `image-rendering: pixelated` (class `heatmap`), which keeps cells as sharp
 * squares (nearest neighbour) without painting each one.
 */
import type { Matrix } from '../../src/shared/analysisResult';
import type { ColorScale } from './colorScale';
import { el } from './dom';
import { recordFigure } from './figureData';

/** Values on a rows x cols grid, row-major. */
export interface GridValues {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
}

/** A nested matrix as grid values. */
export function gridFromMatrix(matrix: Matrix): GridValues {
  return { rows: matrix.length, cols: matrix[0]?.length ?? 0, values: matrix.flat() };
}

/** Resizes `canvas` to the grid and paints each cell's colour at the given alpha (0-255) times the scale's own alpha for its value. */
export function paintGrid(canvas: HTMLCanvasElement, grid: GridValues, scale: ColorScale, alpha = 255): void {
  canvas.width = Math.max(1, grid.cols);
  canvas.height = Math.max(1, grid.rows);
  const context = canvas.getContext('2d');
  if (!context || grid.rows === 0 || grid.cols === 0) return;
  const image = context.createImageData(grid.cols, grid.rows);
  const { data } = image;
  for (let k = 0; k < grid.rows * grid.cols; k++) {
    const c = scale.step(grid.values[k]) * 3;
    data[k * 4] = scale.lut[c];
    data[k * 4 + 1] = scale.lut[c + 1];
    data[k * 4 + 2] = scale.lut[c + 2];
    data[k * 4 + 3] = Math.round((alpha * scale.alpha(grid.values[k])) / 255);
  }
  context.putImageData(image, 0, 0);
}

/** A new heatmap canvas for the grid, described for screen readers by `label`. */
export function heatmapCanvas(grid: GridValues, scale: ColorScale, label: string): HTMLCanvasElement {
  const canvas = el('canvas', 'heatmap');
  paintGrid(canvas, grid, scale);
  recordFigure(canvas, { kind: 'heatmap', grid, scale, label });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}
