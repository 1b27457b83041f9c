/**
 * Horizontal bar charts in SVG, drawn with d3: one labelled bar per value, the value printed beside it, a
 * zero line when values go negative, and the value axis under the bars. Small sets of numbers (a metric before and after a probe) read better
 * as bars than as a table.
 */
import { axisBottom, scaleLinear, select } from 'd3';
import { el } from './dom';
import { recordFigure } from './figureData';

/** One bar. */
export interface Bar {
  label: string;
  value: number;
}

/** What one chart shows. */
export interface BarChart {
  caption: string;
  bars: Bar[];
  format: (value: number) => string;
  /** The value axis; default from 0 (or the smallest value) to the largest value. */
  domain?: [number, number];
}

const WIDTH = 460;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 60;
const ROW = 24;
/** Height of the value axis under the bars. */
const AXIS = 22;

/** Appends the chart (a figure with its caption) to `container` and returns it. */
export function drawBarChart(container: HTMLElement, chart: BarChart): HTMLElement {
  const figure = el('figure', 'bar-chart');
  figure.append(el('figcaption', undefined, chart.caption));
  const values = chart.bars.map((b) => b.value);
  const domain = chart.domain ?? [Math.min(0, ...values), Math.max(0, ...values)];
  const x = scaleLinear().domain(domain[0] === domain[1] ? [domain[0], domain[0] + 1] : domain).range([LABEL_WIDTH, WIDTH - VALUE_WIDTH]).clamp(true);
  const plot = ROW * chart.bars.length + 4;
  const svg = select(figure).append('svg').attr('width', WIDTH).attr('height', plot + AXIS).attr('role', 'img');
  svg.attr('aria-label', `${chart.caption}: ${chart.bars.map((b) => `${b.label} ${chart.format(b.value)}`).join(', ')}`);
  const rows = svg.selectAll('g').data(chart.bars).join('g').attr('transform', (_, i) => `translate(0, ${i * ROW + 2})`);
  rows.append('text').attr('class', 'bar-label').attr('x', LABEL_WIDTH - 8).attr('y', ROW / 2).attr('dy', '0.35em').attr('text-anchor', 'end').text((d) => d.label);
  rows.append('rect').attr('class', 'bar').attr('x', (d) => Math.min(x(0), x(d.value))).attr('y', 3).attr('height', ROW - 6).attr('width', (d) => Math.abs(x(d.value) - x(0)));
  rows.append('text').attr('class', 'bar-value').attr('x', WIDTH - VALUE_WIDTH + 6).attr('y', ROW / 2).attr('dy', '0.35em').text((d) => chart.format(d.value));
  recordFigure(svg.node()!, { kind: 'bars', chart, domain: x.domain() as [number, number] });
  if (domain[0] < 0) svg.append('line').attr('class', 'bar-zero').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', plot);
  svg.append('g').attr('class', 'bar-axis').attr('aria-hidden', 'true').attr('transform', `translate(0, ${plot})`).call(axisBottom(x).ticks(4));
  container.append(figure);
  return figure;
}
