/**
 * The parts of an exported figure, as SVG elements in a fixed figure palette: a page chart restyled in that
 * palette, a raster (a heatmap canvas or an image with its overlay), a score table drawn from its numbers, a grid
 * of head maps, a colour legend (its label, the gradient, its range and the scale's name) and shape keys. Text
 * is never shortened: webview/figureExports.ts measures the parts and sizes the figure around them.
 */
import type { ColorScale } from './draw/colorScale';
import { formatValue } from './draw/colorScale';
import { el, uniqueId } from './draw/dom';
import type { ScoreTable } from './draw/similarityTable';

/** The colours of an exported figure; a transparent figure has no background. */
export interface FigurePalette {
  background: string | null;
  foreground: string;
  muted: string;
  border: string;
  /** Bars and other single-colour marks. */
  accent: string;
}

/** The two fixed palettes: a white page and the dark editor's grey (#1e1e1e), whatever the editor's theme. */
export const PALETTES: Record<'light' | 'dark', FigurePalette> = {
  light: { background: '#ffffff', foreground: '#1f1f1f', muted: '#5a5a5a', border: '#c4c4c4', accent: '#1a6fd6' },
  dark: { background: '#1e1e1e', foreground: '#d4d4d4', muted: '#a0a0a0', border: '#4a4a4a', accent: '#3794ff' },
};

/** The figures' font: common to every system, so a saved SVG keeps the measured widths closely. */
export const FONT = 'Helvetica, Arial, sans-serif';
export const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and optional text (set as text, never parsed). */
export function svgNode<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const measurer = document.createElement('canvas').getContext('2d');

/** The width of `text` in the figures' font at `size` px (a little generous: a saved file may use another font). */
export function textWidth(text: string, size: number, weight = 'normal'): number {
  if (!measurer) return text.length * size * 0.6;
  measurer.font = `${weight} ${size}px ${FONT}`;
  return Math.ceil(measurer.measureText(text).width * 1.05) + 2;
}

/** A text element in the palette's foreground (or `fill`). */
export function label(text: string, x: number, y: number, palette: FigurePalette, options: { size?: number; anchor?: string; fill?: string; weight?: string; className?: string; transform?: string } = {}): SVGTextElement {
  const attributes: Record<string, string | number> = { x, y, 'font-size': options.size ?? 12, fill: options.fill ?? palette.foreground };
  if (options.anchor) attributes['text-anchor'] = options.anchor;
  if (options.weight) attributes['font-weight'] = options.weight;
  if (options.className) attributes.class = options.className;
  if (options.transform) attributes.transform = options.transform;
  return svgNode('text', attributes, text);
}

/** The presentation properties of a page chart, read from its computed style (d3 charts colour their marks by CSS). */
const STYLED = ['fill', 'fill-opacity', 'stroke', 'stroke-opacity', 'stroke-width', 'font-family', 'font-size', 'font-weight', 'opacity'] as const;

/**
 * A copy of the page chart `svg` in `palette`: the copy is styled by the page's own rules inside an off-screen
 * `.mmlens` element whose theme variables are the palette's, and each element's computed style is written on it
 * as presentation attributes (the panel's CSP blocks style attributes, even on a copy). Returns its content as a group.
 */
export function chartBody(svg: SVGSVGElement, palette: FigurePalette): SVGGElement {
  const host = el('div', 'mmlens');
  const variables: Record<string, string> = { '--fg': palette.foreground, '--muted': palette.muted, '--border': palette.border, '--bg': palette.background ?? 'transparent', '--vscode-charts-blue': palette.accent };
  for (const [name, value] of Object.entries(variables)) host.style.setProperty(name, value);
  Object.assign(host.style, { color: palette.foreground, fontFamily: FONT, position: 'fixed', left: '-100000px', top: '0' });
  host.setAttribute('aria-hidden', 'true');
  const frame = el('figure', svg.closest('figure')?.className ?? '');
  const copy = svg.cloneNode(true) as SVGSVGElement;
  frame.append(copy);
  host.append(frame);
  document.body.append(host);
  const group = svgNode('g', { class: 'figure-chart' });
  try {
    const sources = [copy, ...copy.querySelectorAll('*')];
    const styles = sources.map((source) => getComputedStyle(source));
    sources.forEach((source, i) => {
      for (const property of STYLED) source.setAttribute(property, styles[i].getPropertyValue(property));
    });
    for (const property of STYLED) group.setAttribute(property, copy.getAttribute(property) ?? '');
    group.setAttribute('font-family', FONT);
    group.append(...copy.childNodes);
  } finally {
    host.remove();
  }
  return group;
}

/** An image element showing `href` (a data: URL) at `width` x `height`. */
export function rasterBody(href: string, width: number, height: number, className: string, opacity = 1): SVGImageElement {
  const attributes: Record<string, string | number> = { class: className, href, x: 0, y: 0, width, height, preserveAspectRatio: 'none' };
  if (opacity < 1) attributes.opacity = opacity;
  return svgNode('image', attributes);
}

/**
 * `canvas` scaled to `scale` times `width` x `height` with nearest-neighbour sampling, as a PNG data: URL: a
 * heatmap holds one pixel per cell, which a viewer would blur; scaled here its cells stay sharp squares.
 */
export function sharpRaster(canvas: HTMLCanvasElement, width: number, height: number, scale = 2): string {
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round(width * scale));
  out.height = Math.max(1, Math.round(height * scale));
  const context = out.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(canvas, 0, 0, out.width, out.height);
  return out.toDataURL('image/png');
}

const ROW = 24;
const CELL_MIN = 52;

/**
 * A score table from its numbers: the caption's rows and columns labelled in full (column labels turned 45
 * degrees when one is wider than its cell), each cell coloured by the table's scale and its value printed.
 */
export function tableBody(table: ScoreTable, palette: FigurePalette): SVGGElement {
  const group = svgNode('g', { class: 'figure-table' });
  const printed = table.values.map((row) => row.map((v) => table.format(v)));
  const cell = Math.max(CELL_MIN, ...printed.flat().map((text) => textWidth(text, 12) + 12));
  const turned = table.colLabels.some((text) => textWidth(text, 12, 'bold') > cell - 6);
  table.colLabels.forEach((text, c) => {
    const x = c * cell + cell / 2;
    group.append(turned
      ? label(text, 0, 0, palette, { weight: 'bold', className: 'col-label', transform: `translate(${x - 4}, -8) rotate(-45)` })
      : label(text, x, -8, palette, { weight: 'bold', anchor: 'middle', className: 'col-label' }));
  });
  group.append(label(table.corner ?? 'Image \\ text', -10, -8, palette, { anchor: 'end', fill: palette.muted, className: 'corner-label' }));
  table.values.forEach((row, r) => {
    const y = r * ROW;
    group.append(label(table.rowLabels[r] ?? `image ${r}`, -10, y + ROW / 2 + 4, palette, { anchor: 'end', weight: 'bold', className: 'row-label' }));
    row.forEach((value, c) => {
      const fill = table.scale ? table.scale.css(value) : 'none';
      group.append(svgNode('rect', { class: 'cell', x: c * cell, y, width: cell, height: ROW, fill, stroke: palette.border }));
      group.append(label(printed[r][c], c * cell + cell / 2, y + ROW / 2 + 4, palette, { anchor: 'middle', fill: table.scale ? table.scale.textColor(value) : palette.foreground, className: 'cell-value' }));
    });
  });
  return group;
}

/** One head's map for a grid of heads: its name and its pixels (a canvas of one pixel per patch). */
export interface HeadTile {
  name: string;
  canvas: HTMLCanvasElement;
}

const TILE = 64;

/** Head maps in rows (one per layer, `rows[l]` its tiles), each named under it. */
export function headGridBody(rows: HeadTile[][], palette: FigurePalette): SVGGElement {
  const group = svgNode('g', { class: 'figure-heads' });
  const step = Math.max(TILE, ...rows.flat().map((tile) => textWidth(tile.name, 11))) + 8;
  rows.forEach((tiles, r) => tiles.forEach((tile, c) => {
    const tileGroup = svgNode('g', { transform: `translate(${c * step}, ${r * (TILE + 24)})` });
    tileGroup.append(rasterBody(sharpRaster(tile.canvas, TILE, TILE), TILE, TILE, 'head-map'));
    tileGroup.append(label(tile.name, TILE / 2, TILE + 14, palette, { size: 11, anchor: 'middle', className: 'head-name' }));
    group.append(tileGroup);
  }));
  return group;
}

/** A colour legend: what the colours show, and the ends of the range (numbers, or words such as "each head's minimum"). */
export interface FigureLegend {
  scale: ColorScale;
  label: string;
  minText?: string;
  maxText?: string;
}

const BAR = { width: 220, height: 12, stops: 16 };

/** A 6 px grey checkerboard under a legend bar, so that the part of a scale fading to transparent reads as transparent. */
function checkerboard(id: string): SVGPatternElement {
  const pattern = svgNode('pattern', { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
  pattern.append(svgNode('rect', { width: 6, height: 6, fill: '#c0c0c0' }), svgNode('rect', { width: 3, height: 3, fill: '#808080' }), svgNode('rect', { x: 3, y: 3, width: 3, height: 3, fill: '#808080' }));
  return pattern;
}

/**
 * The legend: its label, the viridis gradient, the minimum under its left end, the maximum under its right end, and
 * the scale named. A scale that fades (a map over an image) has the page's alpha in its gradient, over a
 * checkerboard, and says below which value it fades.
 */
export function legendBody(legend: FigureLegend, palette: FigurePalette): SVGGElement {
  const group = svgNode('g', { class: 'figure-legend' });
  const { scale } = legend;
  const id = uniqueId('gradient');
  const gradient = svgNode('linearGradient', { id, x1: 0, x2: 1, y1: 0, y2: 0 });
  // A range of one value paints its one colour; otherwise the whole scale, dark to light.
  const flat = !(scale.max > scale.min);
  const faded = !flat && scale.fade > 0;
  for (let i = 0; i < BAR.stops; i++) {
    const step = flat ? 0 : Math.round((i / (BAR.stops - 1)) * (scale.lut.length / 3 - 1));
    const [r, g, b] = scale.lut.subarray(step * 3, step * 3 + 3);
    const value = scale.min + (i / (BAR.stops - 1)) * (scale.max - scale.min);
    gradient.append(svgNode('stop', { offset: i / (BAR.stops - 1), 'stop-color': `rgb(${r}, ${g}, ${b})`, ...(faded ? { 'stop-opacity': scale.alpha(value) / 255 } : {}) }));
  }
  const defs = svgNode('defs', {});
  defs.append(gradient);
  const bar = { x: 0, y: 8, width: BAR.width, height: BAR.height };
  const under: SVGElement[] = [];
  if (faded) {
    const checks = uniqueId('checks');
    defs.append(checkerboard(checks));
    under.push(svgNode('rect', { class: 'legend-checks', ...bar, fill: `url(#${checks})` }));
  }
  const minText = legend.minText ?? formatValue(scale.min);
  const maxText = legend.maxText ?? formatValue(scale.max);
  const scaleText = flat ? 'viridis colour scale (one value: one colour)'
    : `viridis colour scale, linear from dark to light${faded ? `; below ${formatValue(scale.min + scale.fade * (scale.max - scale.min))} fades to transparent` : ''}`;
  group.append(
    defs,
    label(legend.label, 0, 0, palette, { className: 'legend-label' }),
    ...under,
    svgNode('rect', { class: 'legend-bar', ...bar, fill: `url(#${id})`, stroke: palette.border }),
    label(minText, 0, 8 + BAR.height + 14, palette, { size: 11, className: 'legend-min' }),
    label(maxText, BAR.width, 8 + BAR.height + 14, palette, { size: 11, anchor: 'end', className: 'legend-max' }),
    label(scaleText, BAR.width + 12, 8 + BAR.height - 1, palette, { size: 11, fill: palette.muted, className: 'legend-scale' }),
  );
  return group;
}

/** One entry of a shape key: a mark of `colour` and what it stands for. */
export interface FigureKey {
  shape: 'circle' | 'square';
  colour: string;
  label: string;
}

/** The shape key of a chart (a scatter's images and texts), in one row. */
export function keysBody(keys: FigureKey[], palette: FigurePalette): SVGGElement {
  const group = svgNode('g', { class: 'figure-keys' });
  let x = 0;
  for (const key of keys) {
    group.append(key.shape === 'circle' ? svgNode('circle', { cx: x + 5, cy: -4, r: 4.5, fill: key.colour }) : svgNode('rect', { x, y: -8.5, width: 9, height: 9, fill: key.colour }));
    group.append(label(key.label, x + 14, 0, palette, { className: 'key-label' }));
    x += 14 + textWidth(key.label, 12) + 18;
  }
  return group;
}
