/**
 * The head importance grid (`mmlens heads --html`): layers down, heads across, a whole-layer column; each cell the
 * score drop when that head (or the whole layer) is masked, coloured by sign and size on theme colours. The grid is
 * keyboard reachable: one cell is in the tab order and the arrow keys, Home and End move between cells.
 */
import type { HeadImportanceResult } from '../src/shared/headImportance';

/** Draws `result` into `root`. */
export function renderHeadImportance(root: HTMLElement, result: HeadImportanceResult): void {
  root.className = 'mmlens heads-report';
  root.replaceChildren(
    element('h1', `Head importance: ${result.model.name}`),
    facts(result),
    element('p', `Each cell is the drop of the ${scoreName(result)} (${result.score.toFixed(4)} with every head) when that head is masked; the last column masks every head of the layer. Method: ${result.method}.`, 'note'),
    grid(result),
    element('p', `${result.cost.forwardPasses} forward passes in ${result.cost.totalMs.toFixed(0)} ms (${result.cost.msPerPass.toFixed(1)} ms each).`, 'timings'),
  );
  if (result.model.notices.length > 0) {
    const list = element('ul', '', 'notices');
    list.append(...result.model.notices.map((notice) => element('li', notice)));
    root.append(list);
  }
}

function scoreName(result: HeadImportanceResult): string {
  return result.scoreKind === 'itm' ? 'matching probability' : 'cosine of the image and the text';
}

function facts(result: HeadImportanceResult): HTMLElement {
  const list = element('dl', '', 'facts');
  const rows: [string, string][] = [
    ['model', `${result.model.name} (${result.model.architecture}) on ${result.model.executionProvider}`],
    ['image', result.image], ['text', result.text], ['layers', `${result.stream}: ${result.layers} x ${result.heads} heads`],
    ['masked graph, every head kept', `off by ${result.allOnesGap.toExponential(1)}`],
  ];
  for (const [term, value] of rows) list.append(element('dt', term), element('dd', value));
  return list;
}

/** The table of drops; heads and whole layers are scaled apart (a layer's drop is usually far larger). */
function grid(result: HeadImportanceResult): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'heads-grid';
  table.setAttribute('role', 'grid');
  table.setAttribute('aria-label', `Score drop per head, ${result.layers} layers by ${result.heads} heads, and per whole layer`);
  const header = table.createTHead().insertRow();
  header.append(element('th', 'layer'), ...Array.from({ length: result.heads }, (_, h) => element('th', `head ${h}`)), element('th', 'whole layer'));
  const headScale = largest(result.importance.flat());
  const layerScale = largest(result.layerImportance);
  const body = table.createTBody();
  result.importance.forEach((row, l) => {
    const tr = body.insertRow();
    tr.append(element('th', String(l)));
    row.forEach((drop, h) => tr.append(cell(drop, headScale, `layer ${l} head ${h}: drop ${drop.toFixed(4)}, score without it ${result.ablated[l][h].toFixed(4)}`)));
    tr.append(cell(result.layerImportance[l], layerScale, `layer ${l}, every head: drop ${result.layerImportance[l].toFixed(4)}, score without them ${result.layerAblated[l].toFixed(4)}`));
  });
  const cells = [...table.querySelectorAll<HTMLTableCellElement>('td')];
  if (cells[0]) cells[0].tabIndex = 0;
  table.addEventListener('keydown', (event) => moveFocus(event, result.heads + 1, cells));
  return table;
}

function cell(drop: number, scale: number, label: string): HTMLTableCellElement {
  const td = element('td', drop.toFixed(3), drop >= 0 ? 'drop' : 'rise');
  td.setAttribute('role', 'gridcell');
  td.setAttribute('aria-label', label);
  td.title = label;
  td.tabIndex = -1;
  td.style.setProperty('--share', `${Math.round((100 * Math.abs(drop)) / scale)}%`);
  return td;
}

/** Arrow keys, Home and End move the one tabbable cell through a grid of `width` cells per row. */
function moveFocus(event: KeyboardEvent, width: number, cells: HTMLTableCellElement[]): void {
  const from = cells.indexOf(event.target as HTMLTableCellElement);
  if (from < 0) return;
  const row = Math.floor(from / width) * width;
  const steps: Record<string, number> = {
    ArrowRight: Math.min(from + 1, row + width - 1), ArrowLeft: Math.max(from - 1, row),
    ArrowDown: from + width < cells.length ? from + width : from, ArrowUp: from - width >= 0 ? from - width : from,
    Home: row, End: row + width - 1,
  };
  const to = steps[event.key];
  if (to === undefined) return;
  event.preventDefault();
  cells[from].tabIndex = -1;
  cells[to].tabIndex = 0;
  cells[to].focus();
}

function largest(values: number[]): number {
  return Math.max(...values.map(Math.abs), Number.MIN_VALUE);
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}
