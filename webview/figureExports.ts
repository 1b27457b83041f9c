/**
 * Figure exports of every page. Each figure exports as a standalone SVG (vector: its title, what it shows, a
 * colour legend with its range and scale for heatmaps, every label in full; the parts are measured in the page
 * and the figure sized around them, so nothing is clipped or shortened), as PNG (that SVG drawn at twice its size)
 * and as JSON (exactly the numbers it shows). Each export row chooses the figure's background: light or dark,
 * each with a fixed figure palette rather than the editor's colours, or transparent (the palette of the current
 * theme's kind, no background); it opens on the current theme's kind.
 */
import { rgb } from 'd3';
import type { ProbeResult } from '../src/shared/probeResult';
import { figureRecord } from './draw/figureData';
import { labelledSelect, type Choice } from './draw/dom';
import type { GridValues } from './draw/heatmapCanvas';
import { viridisScale, type ColorScale } from './draw/colorScale';
import { drawnHeads } from './draw/headGrid';
import { drawWindow, elementWindow, type ImageWindow } from './draw/imageWindow';
import { IMAGE_COLOUR, TEXT_COLOUR } from './draw/pcaScatter';
import { chartBody, FONT, headGridBody, keysBody, label, legendBody, PALETTES, rasterBody, sharpRaster, svgNode, SVG_NS, tableBody, type FigureKey, type FigureLegend, type FigurePalette } from './figureBodies';
import { exportJson } from './explorer/exporting';
import { themeColour } from './explorer/theme';
import { exportControls, type ExportFile } from './panelExports';

/** The background of an exported figure. */
export type FigureBackground = 'light' | 'dark' | 'transparent';

const BACKGROUNDS: Choice[] = [{ value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }, { value: 'transparent', label: 'Transparent' }];

/** The kind of the current theme: VS Code marks the body; the standalone report has the dark fallback. */
export function themeKind(): 'light' | 'dark' {
  const body = document.body.className;
  if (/vscode-(high-contrast-)?light/.test(body)) return 'light';
  if (/vscode-(dark|high-contrast)/.test(body)) return 'dark';
  const background = rgb(themeColour('--vscode-editor-background', '#1e1e1e'));
  return 0.2126 * background.r + 0.7152 * background.g + 0.0722 * background.b > 128 ? 'light' : 'dark';
}

/** The palette of a background choice: transparent keeps the current theme's text colours. */
export function figurePalette(background: FigureBackground): FigurePalette {
  return background === 'transparent' ? { ...PALETTES[themeKind()], background: null } : PALETTES[background];
}

/** What an exported figure holds. */
export interface Figure {
  title: string;
  /** Lines under the title: what the figure shows, a notice the page shows beside it. */
  notes?: string[];
  /** The drawing, in the palette. */
  body(palette: FigurePalette): SVGGraphicsElement;
  legend?: FigureLegend;
  keys?: FigureKey[];
  /** The numbers it shows, for the JSON export. */
  data: unknown;
}

/** A composed figure: the SVG document and its size in CSS pixels. */
export interface ComposedFigure {
  svg: string;
  width: number;
  height: number;
}

const PAD = 16;
const GAP = 12;

/**
 * `figure` as a standalone SVG document on `background`. The parts are drawn in an off-screen SVG of the page
 * (no page style reaches it: every colour and font is an attribute), measured with getBBox, stacked (title,
 * notes, body, keys, legend) and the document sized to hold them all with a margin.
 */
export function composeFigure(figure: Figure, background: FigureBackground): ComposedFigure {
  const palette = figurePalette(background);
  const svg = svgNode('svg', { xmlns: SVG_NS, 'font-family': FONT, 'font-size': 12 });
  const host = document.createElement('div');
  Object.assign(host.style, { position: 'fixed', left: '-100000px', top: '0' });
  host.setAttribute('aria-hidden', 'true');
  host.append(svg);
  document.body.append(host);
  try {
    let y = PAD;
    let width = 0;
    const stack = (node: SVGGraphicsElement, gap = GAP) => {
      svg.append(node);
      const box = node.getBBox();
      const wrapper = svgNode('g', { transform: `translate(${PAD - box.x}, ${y - box.y})` });
      node.replaceWith(wrapper);
      wrapper.append(node);
      y += box.height + gap;
      width = Math.max(width, box.width);
    };
    stack(label(figure.title, 0, 0, palette, { size: 15, weight: 'bold', className: 'figure-title' }), figure.notes?.length ? 4 : GAP);
    figure.notes?.forEach((note, i) => stack(label(note, 0, 0, palette, { fill: palette.muted, className: 'figure-note' }), i === figure.notes!.length - 1 ? GAP : 2));
    stack(figure.body(palette));
    if (figure.keys?.length) stack(keysBody(figure.keys, palette));
    if (figure.legend) stack(legendBody(figure.legend, palette));
    const size = { width: Math.ceil(width + 2 * PAD), height: Math.ceil(y - GAP + PAD) };
    svg.setAttribute('width', String(size.width));
    svg.setAttribute('height', String(size.height));
    svg.setAttribute('viewBox', `0 0 ${size.width} ${size.height}`);
    if (palette.background) svg.prepend(svgNode('rect', { class: 'figure-background', width: '100%', height: '100%', fill: palette.background }));
    return { svg: new XMLSerializer().serializeToString(svg), ...size };
  } finally {
    host.remove();
  }
}

/** How many PNG pixels per CSS pixel of the figure: twice, for print and high-density screens. */
export const PNG_SCALE = 2;

/** A standalone SVG document drawn on a canvas of `width` x `height` times PNG_SCALE, as a PNG data: URL. */
export async function svgPng(svgText: string, width: number, height: number): Promise<string> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * PNG_SCALE);
  canvas.height = Math.round(height * PNG_SCALE);
  canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}

/** A scale as the JSON of a figure states it. */
export function scaleData(scale: ColorScale): { name: 'viridis'; min: number; max: number } {
  return { name: 'viridis', min: scale.min, max: scale.max };
}

/** Grid values as rows of numbers. */
export function gridRows(grid: GridValues): number[][] {
  return Array.from({ length: grid.rows }, (_, r) => Array.from({ length: grid.cols }, (_, c) => grid.values[r * grid.cols + c]));
}

/**
 * The export row of one figure: Export SVG, PNG and JSON and the background choice. `figure` is built when a
 * button is pressed, from what the page shows then; `name` names the files, `subject` the buttons.
 */
export function figureExports(figure: () => Figure, name: string, subject: string, exportFile: ExportFile): HTMLElement {
  let background: FigureBackground = themeKind();
  const composed = () => composeFigure(figure(), background);
  const row = exportControls([
    ['Export SVG', async (report) => exportFile('svg', `${name}.svg`, composed().svg, report)],
    ['Export PNG', async (report) => {
      const { svg, width, height } = composed();
      await exportFile('png', `${name}.png`, await svgPng(svg, width, height), report);
    }],
    ['Export JSON', async (report) => exportFile('json', `${name}.json`, exportJson(figure().data), report)],
  ], subject);
  const choice = labelledSelect('Background', BACKGROUNDS, background, (value) => (background = value as FigureBackground));
  choice.control.classList.add('figure-background-choice');
  choice.control.setAttribute('aria-label', `Background of the exported figure: ${subject}`);
  row.querySelector('.export-status')?.before(choice.element);
  return row;
}

/** The figures addFigureExports finds: charts, heatmaps and score tables that recorded what they show. */
const FIGURES = 'svg[role="img"], canvas.heatmap[role="img"], table.score-table';

/** The figure of a page element that recorded its data, titled `title`; undefined for one that did not. */
function pageFigure(element: Element, title: string): Figure | undefined {
  const record = figureRecord(element);
  if (!record) return undefined;
  if (record.kind === 'bars') {
    const svg = element as SVGSVGElement;
    const { chart, domain } = record;
    const bottom = svg.height.baseVal.value;
    return {
      title,
      body: (palette) => {
        const group = chartBody(svg, palette);
        // The caption names the value axis, under its ticks.
        group.append(label(chart.caption, svg.width.baseVal.value / 2, bottom + 16, palette, { anchor: 'middle', className: 'axis-label' }));
        return group;
      },
      data: { title, caption: chart.caption, bars: chart.bars, domain },
    };
  }
  if (record.kind === 'scatter') {
    const svg = element as SVGSVGElement;
    return {
      title,
      notes: [svg.getAttribute('aria-label') ?? ''],
      body: (palette) => chartBody(svg, palette),
      keys: [{ shape: 'circle', colour: IMAGE_COLOUR, label: 'images' }, { shape: 'square', colour: TEXT_COLOUR, label: 'texts (lines join the matching pairs)' }],
      data: { title, ...record.points },
    };
  }
  if (record.kind === 'table') {
    const { table } = record;
    return {
      title,
      notes: [table.caption],
      body: (palette) => tableBody(table, palette),
      legend: table.scale ? { scale: table.scale, label: table.caption } : undefined,
      data: { title, caption: table.caption, corner: table.corner ?? 'Image \\ text', rowLabels: table.rowLabels, colLabels: table.colLabels, values: table.values, ...(table.scale ? { scale: scaleData(table.scale) } : {}) },
    };
  }
  if (record.kind === 'heatmap') {
    const canvas = element as HTMLCanvasElement;
    // The legend drawn beside the heatmap names its scale; else the heatmap's own description does.
    const beside = [...(element.closest('section')?.querySelectorAll('.legend') ?? [])].map((l) => figureRecord(l)).find((r) => r?.kind === 'legend');
    const legend = beside?.kind === 'legend' ? { scale: beside.scale, label: beside.label } : { scale: record.scale, label: record.label };
    const [width, height] = [canvas.clientWidth || canvas.width, canvas.clientHeight || canvas.height];
    return {
      title,
      notes: [record.label],
      body: () => {
        const group = svgNode('g', { class: 'figure-heatmap' });
        group.append(rasterBody(sharpRaster(canvas, width, height), width, height, 'heatmap'));
        return group;
      },
      legend,
      data: { title, label: record.label, rows: record.grid.rows, cols: record.grid.cols, values: gridRows(record.grid), scale: scaleData(record.scale) },
    };
  }
  return undefined;
}

/**
 * Puts an export row under each figure of `sections` that recorded its data: bar charts, scatter plots,
 * heatmaps and score tables. Files are named `prefix-SECTION-N`; buttons after the figure's accessible name, its
 * caption, or its section's heading and place. A figure redrawn in place (a table switched to z-scores) is found
 * again when a button is pressed, so the export is always of what is shown.
 */
export function addFigureExports(sections: Iterable<HTMLElement>, prefix: string, exportFile: ExportFile): void {
  for (const section of sections) {
    const kind = section.className.split(' ')[0] || 'figure';
    const heading = section.querySelector('h2')?.textContent ?? kind;
    const rows = new Map<Element, HTMLElement[]>();
    [...section.querySelectorAll(FIGURES)].forEach((element, i) => {
      const current = () => section.querySelectorAll(FIGURES)[i] ?? element;
      if (!pageFigure(element, heading)) return;
      const caption = element instanceof HTMLTableElement ? element.caption?.textContent : element.closest('figure')?.querySelector('figcaption')?.textContent;
      const subject = element.getAttribute('aria-label')?.trim() || (caption ? `${heading}, ${caption}` : `${heading}, figure ${i + 1}`);
      const row = figureExports(() => pageFigure(current(), heading)!, `${prefix}-${kind}-${i + 1}`, subject, exportFile);
      // Rows go after the figure, or after the block a redraw replaces (the element directly in the section).
      let anchor: Element = element.closest('figure') ?? element;
      while (anchor.parentElement && anchor.parentElement !== section) anchor = anchor.parentElement;
      rows.set(anchor, [...(rows.get(anchor) ?? []), row]);
    });
    for (const [anchor, list] of rows) anchor.after(...list);
  }
}

/**
 * Adds the probe page's exports to `container` (drawn by renderProbe): "Export JSON" of `result` at the top,
 * and under each figure its own row.
 */
export function addProbeExports(container: HTMLElement, result: ProbeResult, exportFile: ExportFile): void {
  addFigureExports(container.querySelectorAll<HTMLElement>('section'), 'probe', exportFile);
  const summary = container.querySelector('header.summary') ?? container;
  summary.append(exportControls([['Export JSON', (report) => exportFile('json', 'probe.json', exportJson(result), report)]], 'the whole probe result'));
}

/** What an image's overlay shows now: its map (null: the image alone) and what the legend says of its scale. */
export interface ShownOverlay {
  title: string;
  map: { label: string; grid: GridValues; scale: ColorScale; legend: string } | null;
  /** Lines the page shows with the image (a low score's warning). */
  notes: string[];
  /** The image's path or name, for the JSON. */
  image: string;
  /** The boxes outlined on it, in the image's pixels (none when absent). */
  boxes?: number[][];
}

/** What the view shows of `image` (its window, else its centre square) at `side` pixels square, as a PNG data: URL. */
function shownSquare(image: HTMLImageElement, window: ImageWindow | undefined, side: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  drawWindow(canvas.getContext('2d')!, image, window, side, side);
  return canvas.toDataURL('image/png');
}

/**
 * The figure of an overlay view (`view` holds its img.overlay-image and canvas.overlay-map): the image under the
 * map at the opacity shown, as two layers, with the map's legend; its JSON holds the map's values and scale.
 */
export function overlayFigure(view: HTMLElement, shown: ShownOverlay): Figure {
  const image = view.querySelector<HTMLImageElement>('img.overlay-image')!;
  const map = view.querySelector<HTMLCanvasElement>('canvas.overlay-map')!;
  const opacity = Number.parseFloat(map.style.opacity || '1');
  const size = map.clientWidth || map.width;
  const drawn = shown.map;
  return {
    title: shown.title,
    notes: shown.notes,
    body: () => {
      const group = svgNode('g', { class: 'figure-overlay' });
      group.append(rasterBody(shownSquare(image, elementWindow(view), map.width), size, size, 'overlay-image'));
      if (drawn) group.append(rasterBody(map.toDataURL('image/png'), size, size, 'overlay-map', opacity));
      const outlines = view.querySelector('svg.overlay-boxes')?.cloneNode(true) as SVGSVGElement | undefined;
      if (outlines?.childElementCount) {
        for (const [name, value] of Object.entries({ x: 0, y: 0, width: size, height: size })) outlines.setAttribute(name, String(value));
        group.append(outlines);
      }
      return group;
    },
    legend: drawn ? { scale: drawn.scale, label: drawn.legend } : undefined,
    data: { title: shown.title, image: shown.image, opacity, ...(shown.boxes?.length ? { boxes: shown.boxes } : {}), map: drawn && { label: drawn.legend, rows: drawn.grid.rows, cols: drawn.grid.cols, values: gridRows(drawn.grid), scale: scaleData(drawn.scale) } },
  };
}

/** The export row of an overlay view named `name` (an image file name: its extension is dropped from the files). */
export function overlayExports(view: HTMLElement, name: string, shown: () => ShownOverlay, exportFile: ExportFile): HTMLElement {
  return figureExports(() => overlayFigure(view, shown()), `${name.replace(/\.[^.]*$/, '')}-overlay`, `${name} with its overlay`, exportFile);
}

/** One drawn head map: its name ("L3 H7"), its canvas (one pixel per patch) and values. */
export interface DrawnHead {
  name: string;
  canvas: HTMLCanvasElement;
  map: GridValues;
}

/**
 * The head grid as a figure: one tile per head, a row per layer, each named; the legend says that each head is
 * on its own range. Its JSON holds every head's map with its minimum and maximum.
 */
export function headGridFigure(title: string, notes: string[], heads: DrawnHead[], scale: ColorScale): Figure {
  const rows: DrawnHead[][] = [];
  for (const head of heads) {
    const layer = head.name.split(' ')[0];
    const last = rows[rows.length - 1];
    if (last && last[0].name.split(' ')[0] === layer) last.push(head);
    else rows.push([head]);
  }
  const range = (values: ArrayLike<number>) => [Math.min(...Array.from(values)), Math.max(...Array.from(values))];
  return {
    title,
    notes,
    body: (palette) => headGridBody(rows, palette),
    legend: { scale, label: 'Each head on its own colour range', minText: "the head's minimum", maxText: 'its maximum' },
    data: { title, heads: heads.map((h) => ({ name: h.name, min: range(h.map.values)[0], max: range(h.map.values)[1], rows: h.map.rows, cols: h.map.cols, values: gridRows(h.map) })) },
  };
}

/** The export row of a head grid drawn in `grid`; `title` says what the grid shows when a button is pressed. */
export function headGridExports(grid: HTMLElement, title: () => string, note: string, exportFile: ExportFile): HTMLElement {
  return figureExports(() => headGridFigure(title(), [note], drawnHeads(grid), viridisScale(0, 1)), 'attention-heads', 'the attention per head', exportFile);
}
