/**
 * The explorer's image-text matrix as an exported figure: the cells in the order shown (sorted or not), coloured
 * by the scale its legend shows, every image name and text label in full, the legend with its range.
 */
import { format } from 'd3';
import { extentScale } from '../draw/colorScale';
import { figureRecord } from '../draw/figureData';
import { tableBody } from '../figureBodies';
import { scaleData, type Figure } from '../figureExports';
import { scoreCaption, type MatrixInput } from './matrixView';
import { displayOrder, type SortState } from './sorting';

/** The matrix as drawn in `view` (whose legend names its scale), in the display order of `sort`. */
export function matrixFigure(input: MatrixInput, sort: SortState | null, view?: HTMLElement): Figure {
  const { matrix } = input;
  const order = displayOrder(matrix, sort);
  const shown = figureRecord(view?.querySelector('.legend') ?? document.createElement('div'));
  const { scale, label } = shown?.kind === 'legend' ? shown : { scale: extentScale(matrix.values), label: scoreCaption(matrix.kind) };
  const rowLabels = order.rows.map((i) => input.rowLabels[i]);
  const colLabels = order.cols.map((j) => input.colLabels[j]);
  const values = order.rows.map((i) => order.cols.map((j) => matrix.values[i * matrix.cols + j]));
  const table = { caption: label, corner: 'Image \\ text', rowLabels, colLabels, values, format: format('.2f'), scale };
  return {
    title: 'Image-text matrix',
    notes: [`${label} of each image (rows) with each text (columns)`],
    body: (palette) => tableBody(table, palette),
    legend: { scale, label },
    data: { kind: matrix.kind, rowLabels, colLabels, texts: order.cols.map((j) => input.colTitles[j]), values, scale: scaleData(scale) },
  };
}
