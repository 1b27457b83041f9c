/**
 * The layer x head grid: one thumbnail per head, showing that head's attention from one query token over
 * the patch grid. Each thumbnail has its own colour range (heads differ by orders of magnitude, so a
 * shared range would leave most of them flat); the enlarged view shows that range on its legend.
 */
import { extentScale, legend } from './colorScale';
import { el } from './dom';
import { heatmapCanvas, type GridValues } from './heatmapCanvas';

/** Attention of one tower, as in AnalysisResult.attention: [layer][item][head][query][key]. */
export type TowerAttention = number[][][][][];

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
export function headPatchMap(attention: TowerAttention, layer: number, item: number, head: number, query: number, grid: { rows: number; cols: number }): GridValues | null {
  const row = attention[layer]?.[item]?.[head]?.[query];
  const patches = grid.rows * grid.cols;
  if (!row || row.length < patches) return null;
  return { ...grid, values: row.slice(row.length - patches) };
}

/**
 * Replaces the content of `container` with the thumbnails; `detail` shows the one clicked, enlarged. A head
 * enlarged before a redraw (another item or query) is enlarged again with its new values, or the detail is
 * cleared when the head is no longer drawn, so it never shows a stale map.
 */
export function drawHeadGrid(container: HTMLElement, detail: HTMLElement, attention: TowerAttention, grid: { rows: number; cols: number }, choice: HeadGridChoice): void {
  container.replaceChildren();
  let reEnlarge: (() => void) | undefined;
  const layers = choice.layer === 'all' ? attention.map((_, l) => l) : [choice.layer];
  for (const layer of layers) {
    const row = el('div', 'head-row');
    const heads = attention[layer]?.[choice.item]?.length ?? 0;
    for (let head = 0; head < heads; head++) {
      const map = headPatchMap(attention, layer, choice.item, head, choice.query, grid);
      if (!map) continue;
      const name = `L${layer} H${head}`;
      const description = `Layer ${layer}, head ${head}: attention from token ${choice.query} over the patches`;
      const button = el('button', 'head-thumb');
      button.type = 'button';
      button.setAttribute('aria-label', `${description}. Enlarge.`);
      // A toggle from the start, so screen readers announce it as one before the first press.
      button.setAttribute('aria-pressed', 'false');
      button.append(heatmapCanvas(map, extentScale(Array.from(map.values)), description), el('span', 'head-label', name));
      const enlarge = () => {
        container.querySelectorAll('.head-thumb[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
        button.setAttribute('aria-pressed', 'true');
        detail.dataset.head = name;
        showEnlarged(detail, map, name, description);
      };
      button.addEventListener('click', enlarge);
      if (detail.dataset.head === name) reEnlarge = enlarge;
      row.append(button);
    }
    container.append(row);
  }
  if (reEnlarge) reEnlarge();
  else {
    delete detail.dataset.head;
    detail.replaceChildren();
  }
}

function showEnlarged(detail: HTMLElement, map: GridValues, name: string, description: string): void {
  const scale = extentScale(Array.from(map.values));
  const canvas = heatmapCanvas(map, scale, description);
  canvas.classList.add('heatmap-large');
  detail.replaceChildren(el('h4', undefined, name), canvas, legend(scale, 'Attention'));
}
