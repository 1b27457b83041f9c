/**
 * The images x texts similarity matrix as a heatmap: the colours on one canvas (CELL px per cell, a thin gap
 * in the editor background, a frame in the focus colour around the opened pair), and over it a d3-built ARIA
 * grid of transparent cells carrying the printed values, keyboard focus and accessible names. Headers sort:
 * a text's header orders the images by it, an image's header orders the texts. Arrow keys, Home and End move
 * between cells; Enter or Space opens the pair. In a narrow view the matrix scrolls within its own frame.
 */
import { format, select } from 'd3';
import type { ScoreMatrix } from '../../src/shared/protocol';
import { extentScale, legend, type ColorScale } from '../draw/colorScale';
import { el } from '../draw/dom';
import { displayOrder, nextSort, type DisplayOrder, type SortState } from './sorting';
import { canvasTheme } from './theme';

/** Size of a cell in CSS pixels. */
export const CELL = 44;
const values = format('.2f');

/** What the matrix shows. */
export interface MatrixInput {
  matrix: ScoreMatrix;
  rowLabels: string[];
  rowThumbs: string[];
  colLabels: string[];
  /** The full texts (labels through the template), for names and tooltips. */
  colTitles: string[];
}

/** The view's own choices, kept in the webview state. Cells are data indices [image, text]. */
export interface MatrixChoice {
  sort: SortState | null;
  focus: [number, number];
  selected: [number, number] | null;
}

/** Called when the user opens a pair or changes the choice. */
export interface MatrixEvents {
  open(image: number, text: number): void;
  change(): void;
}

/** The drawn matrix; `repaint` redraws the canvas (theme change). */
export interface MatrixView {
  element: HTMLElement;
  repaint(): void;
}

/** The caption of a score kind. */
export function scoreCaption(kind: ScoreMatrix['kind']): string {
  return kind === 'cosine' ? 'Cosine similarity' : 'Match log-odds (ITM)';
}

function paint(canvas: HTMLCanvasElement, input: MatrixInput, order: DisplayOrder, scale: ColorScale, selected: [number, number] | null): void {
  const { rows, cols } = input.matrix;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(cols * CELL * ratio));
  canvas.height = Math.max(1, Math.round(rows * CELL * ratio));
  canvas.style.width = `${cols * CELL}px`;
  canvas.style.height = `${rows * CELL}px`;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  const theme = canvasTheme();
  context.fillStyle = theme.background;
  context.fillRect(0, 0, cols * CELL, rows * CELL);
  order.rows.forEach((i, r) => order.cols.forEach((j, c) => {
    context.fillStyle = scale.css(input.matrix.values[i * cols + j]);
    context.fillRect(c * CELL + 1, r * CELL + 1, CELL - 2, CELL - 2);
  }));
  if (!selected) return;
  const r = order.rows.indexOf(selected[0]);
  const c = order.cols.indexOf(selected[1]);
  if (r < 0 || c < 0) return;
  context.strokeStyle = theme.selection;
  context.lineWidth = 3;
  context.strokeRect(c * CELL + 2.5, r * CELL + 2.5, CELL - 5, CELL - 5);
}

function header(key: string, label: string, title: string, ariaLabel: string, sorted: 'ascending' | 'descending' | 'none', onSort: () => void): HTMLButtonElement {
  const button = el('button', 'sort-button', label);
  button.dataset.sort = key;
  button.type = 'button';
  button.title = title;
  button.setAttribute('aria-label', `${ariaLabel} (now ${sorted === 'none' ? 'not sorted' : sorted})`);
  button.addEventListener('click', onSort);
  return button;
}

/** Draws the matrix, its legend and its headers; redraws itself when sorted. */
export function drawMatrix(input: MatrixInput, choice: MatrixChoice, events: MatrixEvents): MatrixView {
  const element = el('div', 'matrix-view');
  const [fi, fj] = choice.focus;
  if (!(fi < input.matrix.rows && fj < input.matrix.cols)) choice.focus = [0, 0];
  const scale = extentScale(input.matrix.values);
  const canvas = el('canvas', 'matrix-canvas');
  canvas.setAttribute('aria-hidden', 'true');
  let order = displayOrder(input.matrix, choice.sort);
  const repaint = () => paint(canvas, input, order, scale, choice.selected);

  const render = () => {
    order = displayOrder(input.matrix, choice.sort);
    const grid = el('div', 'matrix-grid');
    grid.setAttribute('role', 'grid');
    grid.setAttribute('aria-label', `${scoreCaption(input.matrix.kind)} of ${input.matrix.rows} images (rows) with ${input.matrix.cols} texts (columns)`);
    const sortState = (axis: SortState['axis'], by: number) => (choice.sort?.axis === axis && choice.sort.by === by ? (choice.sort.descending ? 'descending' : 'ascending') : 'none');
    const sortBy = (axis: SortState['axis'], by: number) => () => {
      choice.sort = nextSort(choice.sort, axis, by);
      render();
      // The headers were drawn again: keep keyboard focus on the one just pressed.
      element.querySelector<HTMLElement>(`.sort-button[data-sort="${axis}-${by}"]`)?.focus();
      events.change();
    };
    const head = select(grid).append('div').attr('role', 'row').attr('class', 'matrix-row matrix-head');
    head.append('div').attr('role', 'columnheader').attr('class', 'matrix-corner').text('Image \\ text');
    head.selectAll<HTMLDivElement, number>('div.col-head').data(order.cols).join('div').attr('class', 'col-head').attr('role', 'columnheader')
      .attr('aria-sort', (j) => sortState('rows', j))
      .each((j, k, nodes) => {
        nodes[k].append(header(`rows-${j}`, input.colLabels[j], input.colTitles[j], `Sort images by "${input.colTitles[j]}"`, sortState('rows', j), sortBy('rows', j)));
      });
    const rows = select(grid).selectAll('div.matrix-body').data(order.rows).join('div').attr('role', 'row').attr('class', 'matrix-row matrix-body');
    rows.append('div').attr('role', 'rowheader').attr('class', 'row-head').each((i, k, nodes) => {
      const thumb = el('img', 'row-thumb');
      thumb.src = input.rowThumbs[i] ?? '';
      thumb.alt = '';
      nodes[k].append(thumb, header(`cols-${i}`, input.rowLabels[i], input.rowLabels[i], `Sort texts by ${input.rowLabels[i]}`, sortState('cols', i), sortBy('cols', i)));
    });
    rows.selectAll('div.cell').data((i) => order.cols.map((j) => [i, j] as [number, number])).join('div')
      .attr('class', 'cell').attr('role', 'gridcell')
      .attr('data-image', ([i]) => i).attr('data-text', ([, j]) => j)
      .attr('tabindex', ([i, j]) => (i === choice.focus[0] && j === choice.focus[1] ? 0 : -1))
      .attr('aria-selected', ([i, j]) => String(choice.selected?.[0] === i && choice.selected[1] === j))
      .attr('aria-label', ([i, j]) => `${input.rowLabels[i]} with "${input.colTitles[j]}": ${values(input.matrix.values[i * input.matrix.cols + j])}`)
      .style('color', ([i, j]) => scale.textColor(input.matrix.values[i * input.matrix.cols + j]))
      .text(([i, j]) => values(input.matrix.values[i * input.matrix.cols + j]));
    grid.addEventListener('keydown', (event) => onKey(event, grid));
    grid.addEventListener('click', (event) => {
      const cell = (event.target as HTMLElement).closest<HTMLElement>('.cell');
      if (cell) open(cell, grid);
    });
    const frame = el('div', 'matrix-frame');
    frame.append(canvas, grid);
    const scroll = el('div', 'matrix-scroll');
    scroll.append(frame);
    element.replaceChildren(scroll, legend(scale, scoreCaption(input.matrix.kind)));
    repaint();
  };

  const cellAt = (grid: HTMLElement, i: number, j: number) => grid.querySelector<HTMLElement>(`.cell[data-image="${i}"][data-text="${j}"]`);
  const focusCell = (grid: HTMLElement, i: number, j: number) => {
    const cell = cellAt(grid, i, j);
    if (!cell) return;
    grid.querySelectorAll('.cell[tabindex="0"]').forEach((c) => c.setAttribute('tabindex', '-1'));
    cell.setAttribute('tabindex', '0');
    cell.focus();
    choice.focus = [i, j];
    events.change();
  };
  const open = (cell: HTMLElement, grid: HTMLElement) => {
    const i = Number(cell.dataset.image);
    const j = Number(cell.dataset.text);
    grid.querySelectorAll('.cell[aria-selected="true"]').forEach((c) => c.setAttribute('aria-selected', 'false'));
    cell.setAttribute('aria-selected', 'true');
    choice.selected = [i, j];
    focusCell(grid, i, j);
    repaint();
    events.open(i, j);
  };
  const onKey = (event: KeyboardEvent, grid: HTMLElement) => {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('.cell');
    if (!cell) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(cell, grid);
      return;
    }
    let r = order.rows.indexOf(Number(cell.dataset.image));
    let c = order.cols.indexOf(Number(cell.dataset.text));
    const moves: Record<string, () => void> = {
      ArrowUp: () => (r = Math.max(0, r - 1)),
      ArrowDown: () => (r = Math.min(order.rows.length - 1, r + 1)),
      ArrowLeft: () => (c = Math.max(0, c - 1)),
      ArrowRight: () => (c = Math.min(order.cols.length - 1, c + 1)),
      Home: () => (c = 0),
      End: () => (c = order.cols.length - 1),
    };
    if (!moves[event.key]) return;
    event.preventDefault();
    moves[event.key]();
    focusCell(grid, order.rows[r], order.cols[c]);
  };

  render();
  return { element, repaint };
}
