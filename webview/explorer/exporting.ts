/**
 * Exports of a view: the matrix as SVG (vector: one rect and one text per cell, labels as SVG text, so
 * hostile labels stay text) or PNG (the same drawing on a canvas), a pair as PNG (the image with its overlay),
 * and anything as JSON. The webview builds the file's content; the host asks where to save it.
 */
import { create, format } from 'd3';
import { Msg, type ExportFormat } from '../../src/shared/protocol';
import { safeFileName } from '../../src/shared/protocolValidators';
import { extentScale } from '../draw/colorScale';
import type { HostPort } from './hostPort';
import { CELL, scoreCaption, type MatrixInput } from './matrixView';
import { displayOrder, type SortState } from './sorting';
import { canvasTheme, themeColour } from './theme';

const LABEL = 160;
const values = format('.2f');

/** Cell geometry of an export: labels on the left and on top. */
function layout(input: MatrixInput, sort: SortState | null) {
  const order = displayOrder(input.matrix, sort);
  return { order, scale: extentScale(input.matrix.values), width: LABEL + order.cols.length * CELL, height: LABEL + order.rows.length * CELL };
}

const at = (input: MatrixInput, i: number, j: number) => input.matrix.values[i * input.matrix.cols + j];

/** The matrix as a standalone SVG document. */
export function matrixSvg(input: MatrixInput, sort: SortState | null): string {
  const { order, scale, width, height } = layout(input, sort);
  const svg = create('svg').attr('xmlns', 'http://www.w3.org/2000/svg').attr('width', width).attr('height', height).attr('font-family', 'sans-serif').attr('font-size', 11);
  svg.append('title').text(scoreCaption(input.matrix.kind));
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', canvasTheme().background);
  const fg = themeColour('--vscode-editor-foreground', '#d4d4d4');
  order.cols.forEach((j, c) => svg.append('text').attr('transform', `translate(${LABEL + c * CELL + CELL / 2}, ${LABEL - 6}) rotate(-60)`).attr('fill', fg).text(input.colLabels[j]));
  order.rows.forEach((i, r) => {
    svg.append('text').attr('x', LABEL - 6).attr('y', LABEL + r * CELL + CELL / 2).attr('dy', '0.35em').attr('text-anchor', 'end').attr('fill', fg).text(input.rowLabels[i]);
    order.cols.forEach((j, c) => {
      const [x, y, v] = [LABEL + c * CELL, LABEL + r * CELL, at(input, i, j)];
      svg.append('rect').attr('x', x + 1).attr('y', y + 1).attr('width', CELL - 2).attr('height', CELL - 2).attr('fill', scale.css(v));
      svg.append('text').attr('x', x + CELL / 2).attr('y', y + CELL / 2).attr('dy', '0.35em').attr('text-anchor', 'middle').attr('fill', scale.textColor(v)).text(values(v));
    });
  });
  return new XMLSerializer().serializeToString(svg.node()!);
}

/** The matrix drawn on a canvas, as a PNG data: URL. */
export function matrixPng(input: MatrixInput, sort: SortState | null): string {
  const { order, scale, width, height } = layout(input, sort);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  context.fillStyle = canvasTheme().background;
  context.fillRect(0, 0, width, height);
  context.font = '11px sans-serif';
  context.textBaseline = 'middle';
  const fg = themeColour('--vscode-editor-foreground', '#d4d4d4');
  order.cols.forEach((j, c) => {
    context.save();
    context.translate(LABEL + c * CELL + CELL / 2, LABEL - 6);
    context.rotate(-Math.PI / 3);
    context.fillStyle = fg;
    context.fillText(input.colLabels[j], 0, 0, LABEL);
    context.restore();
  });
  order.rows.forEach((i, r) => {
    context.fillStyle = fg;
    context.textAlign = 'end';
    context.fillText(input.rowLabels[i], LABEL - 6, LABEL + r * CELL + CELL / 2, LABEL - 8);
    context.textAlign = 'center';
    order.cols.forEach((j, c) => {
      const v = at(input, i, j);
      context.fillStyle = scale.css(v);
      context.fillRect(LABEL + c * CELL + 1, LABEL + r * CELL + 1, CELL - 2, CELL - 2);
      context.fillStyle = scale.textColor(v);
      context.fillText(values(v), LABEL + c * CELL + CELL / 2, LABEL + r * CELL + CELL / 2);
    });
  });
  return canvas.toDataURL('image/png');
}

/** An image with its overlay canvas on top at `opacity`, as a PNG data: URL the size of the overlay. */
export function overlayPng(image: HTMLImageElement, overlay: HTMLCanvasElement, opacity: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = overlay.width;
  canvas.height = overlay.height;
  const context = canvas.getContext('2d')!;
  // The view shows the image's centre square (object-fit: cover); the export crops the same square.
  const side = Math.min(image.naturalWidth, image.naturalHeight);
  if (side > 0) context.drawImage(image, (image.naturalWidth - side) / 2, (image.naturalHeight - side) / 2, side, side, 0, 0, canvas.width, canvas.height);
  context.globalAlpha = opacity;
  context.drawImage(overlay, 0, 0);
  return canvas.toDataURL('image/png');
}

/** JSON text of `value`, typed arrays written as plain arrays. */
export function exportJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v instanceof Float32Array ? Array.from(v) : v), 2);
}

/** Hands a file to the host, which asks where to save it; `report` gets where it went, or why it failed. */
export async function sendExport(port: HostPort, format: ExportFormat, fileName: string, content: string, report: (message: string) => void): Promise<void> {
  try {
    const { saved } = (await port.requests.send({ type: Msg.Export, format, fileName: safeFileName(fileName), content })) as { saved: string | null };
    if (saved) report(`Saved ${saved}`);
  } catch (error) {
    report(`Export failed: ${(error as Error).message}`);
  }
}
