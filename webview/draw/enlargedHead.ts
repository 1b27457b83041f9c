/**
 * One head enlarged: its map over the patch grid drawn on the item's image (the centre crop the patches cover,
 * as in overlay.ts), with the patch grid's lines and the query patch marked. When every query's row is at hand,
 * the query is the user's explicit choice: click a patch to pin it, click it again or press Escape to go back to
 * the first token, arrow keys to move it; nothing changes on mere pointing.
 */
import { extentScale, legend } from './colorScale';
import { commandButton } from './commandButton';
import { el } from './dom';
import { heatmapCanvas, type GridValues } from './heatmapCanvas';
import { placeImage, type ImageWindow } from './imageWindow';

/** What the enlarged head shows besides its own map. */
export interface EnlargedHeadView {
  grid: { rows: number; cols: number };
  /** The sequence length: the patches are its last rows x cols tokens. */
  tokens: number;
  query: number;
  /** The item's image, drawn under the map: its `window` (the part the model's input covers), else its centre square. */
  image?: { url: string; alt: string; window?: ImageWindow };
  /** Given when any token can be the query: called with the one the user picks. */
  onQuery?: (query: number) => void;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Replaces `detail`'s content with the head `name`'s map (`description` names it for assistive technology). */
export function drawEnlargedHead(detail: HTMLElement, name: string, map: GridValues, description: string, view: EnlargedHeadView): void {
  const scale = extentScale(Array.from(map.values));
  const canvas = heatmapCanvas(map, scale, description);
  canvas.classList.add('heatmap-large');
  const stage = el('div', 'head-large');
  if (view.image) {
    const image = el('img', 'head-large-image');
    image.src = view.image.url;
    image.alt = view.image.alt;
    placeImage(image, view.image.window);
    stage.append(image);
    canvas.classList.add('over-image');
  }
  const firstPatch = view.tokens - view.grid.rows * view.grid.cols;
  stage.append(canvas, gridMarks(view.grid, view.query - firstPatch));
  // A redraw after an arrow key replaces the map: the keyboard stays on it.
  const focused = detail.querySelector('.head-large') === document.activeElement;
  detail.replaceChildren(el('h4', undefined, name), stage, legend(scale, 'Attention'), queryLine(view, firstPatch));
  if (view.onQuery) pickable(stage, view, firstPatch, view.onQuery);
  if (focused) stage.focus({ preventScroll: true });
}

/** The patch grid's lines and, when the query is a patch, a box around it. */
function gridMarks(grid: { rows: number; cols: number }, patch: number): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'head-large-marks');
  svg.setAttribute('viewBox', `0 0 ${grid.cols} ${grid.rows}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  const line = (x1: number, y1: number, x2: number, y2: number) => {
    const l = document.createElementNS(SVG, 'line');
    Object.entries({ x1, y1, x2, y2 }).forEach(([k, v]) => l.setAttribute(k, String(v)));
    l.setAttribute('class', 'grid-line');
    svg.append(l);
  };
  for (let c = 1; c < grid.cols; c++) line(c, 0, c, grid.rows);
  for (let r = 1; r < grid.rows; r++) line(0, r, grid.cols, r);
  if (patch >= 0 && patch < grid.rows * grid.cols) {
    const box = document.createElementNS(SVG, 'rect');
    Object.entries({ x: patch % grid.cols, y: Math.floor(patch / grid.cols), width: 1, height: 1 }).forEach(([k, v]) => box.setAttribute(k, String(v)));
    box.setAttribute('class', 'query-patch');
    svg.append(box);
  }
  return svg;
}

/** Says which token is the query and, when it can change, how. */
function queryLine(view: EnlargedHeadView, firstPatch: number): HTMLElement {
  const patch = view.query - firstPatch;
  const where = patch >= 0 ? `the patch in row ${Math.floor(patch / view.grid.cols) + 1}, column ${(patch % view.grid.cols) + 1} (token ${view.query})` : `token ${view.query}, before the patches`;
  const line = el('p', 'head-query', `Query: ${where}.`);
  if (!view.onQuery) return line;
  line.append(' Click a patch to make it the query; click it again or press Escape for token 0; arrow keys move it.');
  if (view.query !== 0) {
    const onQuery = view.onQuery;
    const reset = commandButton('Back to token 0', undefined, () => onQuery(0), 'head-query-reset');
    reset.secondary = true;
    line.append(' ', reset);
  }
  return line;
}

/** Click and keyboard choice of the query patch on the enlarged map. */
function pickable(stage: HTMLElement, view: EnlargedHeadView, firstPatch: number, onQuery: (query: number) => void): void {
  const { rows, cols } = view.grid;
  stage.tabIndex = 0;
  stage.setAttribute('role', 'application');
  stage.setAttribute('aria-label', 'Query patch: click a patch or use the arrow keys; Escape goes back to token 0');
  stage.addEventListener('click', (event) => {
    const box = stage.getBoundingClientRect();
    const col = Math.min(cols - 1, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * cols)));
    const row = Math.min(rows - 1, Math.max(0, Math.floor(((event.clientY - box.top) / box.height) * rows)));
    const query = firstPatch + row * cols + col;
    onQuery(query === view.query ? 0 : query);
  });
  stage.addEventListener('keydown', (event) => {
    const patch = view.query - firstPatch;
    const [row, col] = patch >= 0 ? [Math.floor(patch / cols), patch % cols] : [0, -1];
    const moves: Record<string, [number, number]> = { ArrowLeft: [row, col - 1], ArrowRight: [row, col + 1], ArrowUp: [row - 1, col], ArrowDown: [row + 1, col] };
    if (event.key === 'Escape') onQuery(0);
    else if (event.key in moves) {
      const [r, c] = moves[event.key];
      onQuery(firstPatch + Math.min(rows - 1, Math.max(0, r)) * cols + Math.min(cols - 1, Math.max(0, c)));
    } else return;
    event.preventDefault();
  });
}
