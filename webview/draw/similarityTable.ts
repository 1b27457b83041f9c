/**
 * A table of scores, images down and texts across, each cell coloured by its value and printed. Drawn with
 * d3 as a real <table> (headers with scope) so screen readers can walk it; labels go in as text only.
 */
import { select } from 'd3';
import type { Matrix } from '../../src/shared/analysisResult';
import type { ColorScale } from './colorScale';
import { recordFigure } from './figureData';

/** What one score table shows. */
export interface ScoreTable {
  caption: string;
  rowLabels: string[];
  colLabels: string[];
  /** [row][col] */
  values: Matrix;
  format: (value: number) => string;
  /** The cells' colours; none: printed only (a value that says nothing, such as a softmax over one text). */
  scale?: ColorScale;
  /** The top-left header cell, naming what rows and columns are (default "Image \ text"). */
  corner?: string;
}

/** Appends the table to `container` and returns it. */
export function drawScoreTable(container: HTMLElement, table: ScoreTable): HTMLTableElement {
  const root = select(container).append('table').attr('class', 'score-table');
  root.append('caption').text(table.caption);
  const head = root.append('thead').append('tr');
  head.append('th').attr('scope', 'col').text(table.corner ?? 'Image \\ text');
  head.selectAll('th.col').data(table.colLabels).join('th').attr('class', 'col').attr('scope', 'col').text((d) => d);
  const rows = root.append('tbody').selectAll('tr').data(table.values).join('tr');
  rows.append('th').attr('scope', 'row').text((_, i) => table.rowLabels[i] ?? `image ${i}`);
  rows
    .selectAll('td')
    .data((row) => row)
    .join('td')
    .style('background-color', (d) => (table.scale ? table.scale.css(d) : null))
    .style('color', (d) => (table.scale ? table.scale.textColor(d) : null))
    .text((d) => table.format(d));
  recordFigure(root.node()!, { kind: 'table', table });
  return root.node() as HTMLTableElement;
}
