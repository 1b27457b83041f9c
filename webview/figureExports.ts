/**
 * Exports of the probe panel's figures: each d3 chart as SVG (vector, with the page's computed colours and
 * fonts written on its elements, so the file looks as the panel did without the panel's style sheet) and as PNG (the
 * same SVG drawn on a canvas), each canvas figure as PNG at its shown size, and the whole probe result as JSON.
 */
import type { ProbeResult } from '../src/shared/probeResult';
import { exportJson } from './explorer/exporting';
import { canvasTheme } from './explorer/theme';
import { exportControls, type ExportFile } from './panelExports';

/** The presentation properties an exported chart needs (d3 charts colour and size their marks from CSS). */
const STYLED = ['fill', 'fill-opacity', 'stroke', 'stroke-opacity', 'stroke-width', 'font-family', 'font-size', 'font-weight', 'opacity'] as const;

/** `svg` as a standalone SVG document: computed styles written on each element, on the panel's background. */
export function standaloneSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const sources = [svg, ...svg.querySelectorAll('*')];
  const targets = [copy, ...copy.querySelectorAll('*')];
  sources.forEach((source, i) => {
    const computed = getComputedStyle(source);
    // Presentation attributes, not a style attribute: the panel's CSP blocks inline styles, even on a copy.
    for (const property of STYLED) targets[i].setAttribute(property, computed.getPropertyValue(property));
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', canvasTheme().background);
  copy.prepend(background);
  return new XMLSerializer().serializeToString(copy);
}

/** A standalone SVG document drawn on a canvas of `width` x `height`, as a PNG data: URL. */
export async function svgPng(svgText: string, width: number, height: number): Promise<string> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(image, 0, 0, width, height);
  return canvas.toDataURL('image/png');
}

/** A canvas figure as a PNG data: URL at the size it is shown (a heatmap's canvas holds one pixel per cell). */
function shownPng(canvas: HTMLCanvasElement): string {
  const out = document.createElement('canvas');
  out.width = Math.max(canvas.width, canvas.clientWidth);
  out.height = Math.max(canvas.height, canvas.clientHeight);
  const context = out.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(canvas, 0, 0, out.width, out.height);
  return out.toDataURL('image/png');
}

/** The export row for one figure, named `name` in file names and `subject` in its buttons' accessible names. */
function figureControls(figure: SVGSVGElement | HTMLCanvasElement, name: string, subject: string, exportFile: ExportFile): HTMLElement {
  if (figure instanceof HTMLCanvasElement) {
    return exportControls([['Export PNG', (report) => exportFile('png', `${name}.png`, shownPng(figure), report)]], subject);
  }
  return exportControls([
    ['Export SVG', (report) => exportFile('svg', `${name}.svg`, standaloneSvg(figure), report)],
    ['Export PNG', async (report) => exportFile('png', `${name}.png`, await svgPng(standaloneSvg(figure), figure.width.baseVal.value, figure.height.baseVal.value), report)],
  ], subject);
}

/**
 * Adds the probe page's exports to `container` (drawn by renderProbe): "Export JSON" of `result` at the top,
 * and under each chart or canvas figure its own buttons, named after its section.
 */
export function addProbeExports(container: HTMLElement, result: ProbeResult, exportFile: ExportFile): void {
  const counts = new Map<string, number>();
  for (const figure of container.querySelectorAll<SVGSVGElement | HTMLCanvasElement>('section svg[role="img"], section canvas:not(.legend-bar)')) {
    const section = figure.closest('section')?.className.split(' ')[0] || 'figure';
    const n = (counts.get(section) ?? 0) + 1;
    counts.set(section, n);
    const anchor = figure.closest('figure') ?? figure;
    // The figure's own accessible name, else its section's heading and its place there.
    const heading = figure.closest('section')?.querySelector('h2')?.textContent ?? section;
    const subject = figure.getAttribute('aria-label')?.trim() || `${heading}, figure ${n}`;
    anchor.after(figureControls(figure, `probe-${section}-${n}`, subject, exportFile));
  }
  const summary = container.querySelector('header.summary') ?? container;
  summary.append(exportControls([['Export JSON', (report) => exportFile('json', 'probe.json', exportJson(result), report)]], 'the whole probe result'));
}
