/**
 * The model view: every layer x head of one item as a small line diagram (queries on the left, keys on the right,
 * the same capped lines as the head view), so the heads' patterns (previous token, first token, self) can be
 * compared at a glance.
 *
 * Follows bertviz's model view: a grid with a row per layer and a column per head, each cell its head's lines
 * with opacity = weight, and clicking a cell enlarges that head. Departs from it: the enlarged head is the head
 * view above (set to that layer with that head alone, with its pointing and pinning), not a separate pop-up; cells
 * are painted on canvases (a ViT-L text tower has 288 of them), coloured by head like the head view's swatches
 * rather than by layer; the cells are buttons, one in the tab order, the arrow keys, Home and End move within the
 * grid; a joint sequence's thumbnails draw the token columns only, not the patch keys.
 */
import { el } from './dom';
import { headColours, strongestKeys, type AttentionSource } from './headView';

const WIDTH = 56;
const MIN_HEIGHT = 24;
const MAX_HEIGHT = 96;

/** Draws the grid; `onPick(layer, head)` is called for the cell clicked or activated. */
export function drawModelView(source: AttentionSource, name: string, onPick: (layer: number, head: number) => void): HTMLElement {
  const colours = headColours(source.heads);
  const table = el('table', 'model-view');
  table.setAttribute('aria-label', `Every layer and head of ${name}: select one to show it in the head view`);
  const head = el('tr');
  head.append(el('th', undefined, 'Layer'), ...colours.map((_, h) => el('th', undefined, `Head ${h}`)));
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, source.tokens.length * 4));
  const cells: HTMLButtonElement[] = [];
  for (let l = 0; l < source.layers; l++) {
    const row = el('tr');
    const label = el('th', undefined, String(l));
    label.scope = 'row';
    row.append(label);
    for (let h = 0; h < source.heads; h++) {
      const button = el('button', 'mv-cell');
      button.type = 'button';
      button.tabIndex = cells.length === 0 ? 0 : -1;
      button.setAttribute('aria-label', `Layer ${l} head ${h}`);
      button.setAttribute('aria-pressed', 'false');
      button.append(thumbnail(source, l, h, colours[h], height));
      button.addEventListener('click', () => {
        cells.forEach((cell) => cell.setAttribute('aria-pressed', String(cell === button)));
        onPick(l, h);
      });
      const td = el('td');
      td.append(button);
      row.append(td);
      cells.push(button);
    }
    body.append(row);
  }
  table.append(thead, body);
  table.addEventListener('keydown', (event) => {
    const at = cells.indexOf(event.target as HTMLButtonElement);
    if (at < 0) return;
    const { heads } = source;
    const [l, h] = [Math.floor(at / heads), at % heads];
    const moves: Record<string, number> = {
      ArrowLeft: l * heads + Math.max(0, h - 1),
      ArrowRight: l * heads + Math.min(heads - 1, h + 1),
      ArrowUp: Math.max(0, l - 1) * heads + h,
      ArrowDown: Math.min(source.layers - 1, l + 1) * heads + h,
      Home: l * heads,
      End: l * heads + heads - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    cells[at].tabIndex = -1;
    cells[moves[event.key]].tabIndex = 0;
    cells[moves[event.key]].focus();
  });
  return table;
}

/** One head's lines on a canvas of WIDTH x `height` CSS pixels. */
function thumbnail(source: AttentionSource, layer: number, head: number, colour: string, height: number): HTMLCanvasElement {
  const canvas = el('canvas', 'mv-thumb');
  const scale = window.devicePixelRatio || 1;
  canvas.width = Math.round(WIDTH * scale);
  canvas.height = Math.round(height * scale);
  canvas.setAttribute('aria-hidden', 'true');
  const context = canvas.getContext('2d');
  if (!context) return canvas;
  context.scale(scale, scale);
  context.strokeStyle = colour;
  context.lineWidth = 1.2;
  const { tokens } = source;
  const positions = tokens.map((t) => t.position);
  const y = (i: number) => ((i + 0.5) / tokens.length) * height;
  tokens.forEach((token, query) => {
    const row = source.row(layer, head, token.position);
    if (!row) return;
    for (const kept of strongestKeys(row, positions)) {
      context.globalAlpha = Math.min(1, kept.weight);
      context.beginPath();
      context.moveTo(4, y(query));
      context.lineTo(WIDTH - 4, y(kept.index));
      context.stroke();
    }
  });
  return canvas;
}
