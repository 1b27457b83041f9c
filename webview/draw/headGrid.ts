/**
 * The layer x head grid: one thumbnail per head, showing that head's attention from one query token over
 * the patch grid. Each thumbnail has its own colour range (heads differ by orders of magnitude, so a
 * shared range would leave most of them flat); the enlarged view shows that range on its legend.
 */
import type { AttentionRows } from '../attentionRows';
import { extentScale } from './colorScale';
import { el } from './dom';
import { drawEnlargedHead, type EnlargedHeadView } from './enlargedHead';
import { heatmapCanvas, paintGrid, type GridValues } from './heatmapCanvas';

/** Which item, layers and query token the grid shows. */
export interface HeadGridChoice {
  item: number;
  /** One layer, or every layer as one row each. */
  layer: number | 'all';
  query: number;
}

/**
 * One head's attention from `query` over the patch keys, as a grid. The patches are taken to be the last
 * rows·cols tokens (after a CLS token in CLIP, after the text in single-stream models); null when the
 * sequence is shorter than the grid.
 */
export function headPatchMap(attention: AttentionRows, layer: number, item: number, head: number, query: number, grid: { rows: number; cols: number }): PatchMap | null {
  const row = attention.row(layer, item, head, query);
  const patches = grid.rows * grid.cols;
  if (!row || row.length < patches) return null;
  return { ...grid, values: Array.from(row.subarray(row.length - patches)) };
}

/** One head's map: grid values held as a plain array. */
export type PatchMap = GridValues & { values: number[] };

/** One drawn thumbnail: its button and canvas stay, its map and description change with the query. */
interface Thumbnail {
  name: string;
  button: HTMLButtonElement;
  canvas: HTMLCanvasElement;
  map: PatchMap;
  description: string;
}

/** The thumbnails drawn in each container, so a redraw of the same heads only repaints their pixels. */
const drawn = new WeakMap<HTMLElement, Thumbnail[]>();
/** How each container's latest draw enlarges a thumbnail (with that draw's query and view). */
const enlargers = new WeakMap<HTMLElement, (thumb: Thumbnail) => void>();

/** The enlarged head's surroundings: the item's image, and the query choice when any token can be the query. */
export type HeadGridView = Pick<EnlargedHeadView, 'image' | 'onQuery'>;

/**
 * Draws the thumbnails into `container`; `detail` shows the one clicked, enlarged, over `view.image`. When the
 * same heads are drawn again (another query or item), the thumbnails are repainted in place (one ImageData each),
 * not rebuilt. A head enlarged before a redraw is enlarged again with its new values, or the detail is cleared
 * when the head is no longer drawn, so it never shows a stale map.
 */
export function drawHeadGrid(container: HTMLElement, detail: HTMLElement, attention: AttentionRows, grid: { rows: number; cols: number }, choice: HeadGridChoice, view: HeadGridView = {}): void {
  const wanted = headMaps(attention, grid, choice);
  const previous = drawn.get(container);
  const reuse = previous && previous.length === wanted.length && previous.every((t, i) => t.name === wanted[i].name && container.contains(t.button));
  const enlarge = (thumb: Thumbnail) => drawEnlargedHead(detail, thumb.name, thumb.map, thumb.description, { ...view, grid, tokens: attention.packed.tokens, query: choice.query });
  enlargers.set(container, enlarge);
  const thumbs = reuse ? previous : buildThumbnails(container, detail, wanted);
  thumbs.forEach((thumb, i) => {
    Object.assign(thumb, { map: wanted[i].map, description: wanted[i].description });
    paintGrid(thumb.canvas, thumb.map, extentScale(thumb.map.values));
    thumb.canvas.setAttribute('aria-label', thumb.description);
    thumb.button.setAttribute('aria-label', `${thumb.description}. Enlarge.`);
  });
  drawn.set(container, thumbs);
  const enlarged = thumbs.find((t) => t.name === detail.dataset.head);
  if (enlarged) enlarge(enlarged);
  else {
    delete detail.dataset.head;
    detail.replaceChildren();
    container.querySelectorAll('.head-thumb[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
  }
}

/** The heads drawn in `container` now, in order: name ("L3 H7"), canvas and map (what a figure export redraws). */
export function drawnHeads(container: HTMLElement): { name: string; canvas: HTMLCanvasElement; map: PatchMap }[] {
  return (drawn.get(container) ?? []).filter((t) => container.contains(t.button)).map(({ name, canvas, map }) => ({ name, canvas, map }));
}

/** The maps to draw, one per head of the chosen layers (rows of the grid). */
function headMaps(attention: AttentionRows, grid: { rows: number; cols: number }, choice: HeadGridChoice): { name: string; layer: number; map: PatchMap; description: string }[] {
  const layers = choice.layer === 'all' ? Array.from({ length: attention.packed.layers }, (_, l) => l) : [choice.layer];
  return layers.flatMap((layer) => {
    return Array.from({ length: attention.packed.heads }, (_, head) => {
      const map = headPatchMap(attention, layer, choice.item, head, choice.query, grid);
      return map ? [{ name: `L${layer} H${head}`, layer, map, description: `Layer ${layer}, head ${head}: attention from token ${choice.query} over the patches` }] : [];
    }).flat();
  });
}

function buildThumbnails(container: HTMLElement, detail: HTMLElement, wanted: ReturnType<typeof headMaps>): Thumbnail[] {
  container.replaceChildren();
  const rows = new Map<number, HTMLElement>();
  return wanted.map(({ name, layer, map, description }) => {
    const button = el('button', 'head-thumb');
    button.type = 'button';
    // A toggle from the start, so screen readers announce it as one before the first press.
    button.setAttribute('aria-pressed', 'false');
    const canvas = heatmapCanvas(map, extentScale(map.values), description);
    button.append(canvas, el('span', 'head-label', name));
    const thumb: Thumbnail = { name, button, canvas, map, description };
    button.addEventListener('click', () => {
      container.querySelectorAll('.head-thumb[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
      button.setAttribute('aria-pressed', 'true');
      detail.dataset.head = name;
      enlargers.get(container)?.(thumb);
    });
    let row = rows.get(layer);
    if (!row) {
      row = el('div', 'head-row');
      rows.set(layer, row);
      container.append(row);
    }
    row.append(button);
    return thumb;
  });
}
