/**
 * What each drawn figure shows, recorded by the function that drew it: a figure export (webview/figureExports.ts)
 * redraws a figure from these numbers, with its legend and labels, and writes them as the figure's JSON, so an
 * export holds exactly the data on the page rather than what can be read back from pixels.
 */
import type { BarChart } from './barChart';
import type { ColorScale } from './colorScale';
import type { GridValues } from './heatmapCanvas';
import type { PcaPoints } from './pcaScatter';
import type { ScoreTable } from './similarityTable';

/** One drawn figure's data, by kind. */
export type FigureRecord =
  | { kind: 'table'; table: ScoreTable }
  | { kind: 'bars'; chart: BarChart; domain: [number, number] }
  | { kind: 'heatmap'; grid: GridValues; scale: ColorScale; label: string }
  | { kind: 'legend'; scale: ColorScale; label: string }
  | { kind: 'scatter'; points: PcaPoints };

const records = new WeakMap<Element, FigureRecord>();

/** Records what `element` shows (a later draw of the same element replaces it). */
export function recordFigure(element: Element, record: FigureRecord): void {
  records.set(element, record);
}

/** What `element` shows, when a draw function recorded it. */
export function figureRecord(element: Element): FigureRecord | undefined {
  return records.get(element);
}
