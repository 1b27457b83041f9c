/**
 * The head view: one layer's attention among a sequence's tokens as lines from a query column on the left to a
 * key column on the right, one colour per head, and for a joint sequence lines from a text token onto the patch
 * centres of its image.
 *
 * Follows bertviz's head view (Vig 2019): the same tokens in both columns; a line per head, query and key whose
 * stroke opacity is the weight divided by the number of heads shown, so the heads' lines add up to their mean; a
 * layer select; a colour swatch per head that toggles it (double-click shows that head alone); pointing at a
 * left token shows only its lines, at a right token only the lines into it.
 * Departs from it: the lines are capped (per head and query, the LINE_LIMIT strongest keys of at least
 * LINE_FLOOR; the view says so), so a long joint sequence stays drawable; a click pins a token (Escape or a second
 * click frees it); keyboard focus acts as pointing (one token in the tab order, arrow keys move, Enter pins);
 * the head toggles are checkboxes; the per-head weight boxes bertviz draws over the other column are left out;
 * a joint sequence's patch keys are drawn on the image, not as rows of the columns.
 */
import { format, interpolateSinebow, quantize, schemeCategory10, select } from 'd3';
import { commandButton } from './commandButton';
import { el } from './dom';
import { isSpecialToken } from './tokenStrip';

/** Per head and query, at most this many lines (the strongest keys). */
export const LINE_LIMIT = 8;
/** Weights below this draw no line. */
export const LINE_FLOOR = 0.01;

/** One token of the columns: its label and its position in the sequence (its query and key index). */
export interface ViewToken {
  label: string;
  position: number;
}

/**
 * The image the text attends to, drawn as a grid over it (its centre crop): a joint sequence's patches are keys of
 * the text's own rows; a cross-attention matcher's (BLIP) are keys of separate cross-attention rows (`row`).
 */
export interface PatchImage {
  url: string;
  alt: string;
  rows: number;
  cols: number;
  /** The key position of the first patch in the rows the lines come from; patches are row-major. */
  firstPatch: number;
  /** One head's cross-attention from text position `query` over the image keys; absent where the patches are keys of the text's own rows. */
  row?(layer: number, head: number, query: number): Float32Array | null;
}

/** What the head and model views draw: one item's attention, read a row at a time. */
export interface AttentionSource {
  layers: number;
  heads: number;
  tokens: ViewToken[];
  /** One head's attention from sequence position `query` over every key, or null when the page does not hold it. */
  row(layer: number, head: number, query: number): Float32Array | null;
  image?: PatchImage;
}

/** A kept key of one row: its index in the list of keys it was chosen from, and its weight. */
export interface KeptKey {
  index: number;
  weight: number;
}

/** The keys of `row` at `positions` that get a line: the `limit` strongest of at least `floor`, strongest first. */
export function strongestKeys(row: Float32Array, positions: readonly number[], limit = LINE_LIMIT, floor = LINE_FLOOR): KeptKey[] {
  const kept: KeptKey[] = [];
  positions.forEach((position, index) => {
    const weight = row[position];
    if (weight >= floor) kept.push({ index, weight });
  });
  return kept.sort((a, b) => b.weight - a.weight || a.index - b.index).slice(0, limit);
}

/** One colour per head: d3's category10 (bertviz's) up to ten heads, evenly spaced hues beyond. */
export function headColours(heads: number): string[] {
  return heads <= schemeCategory10.length ? schemeCategory10.slice(0, heads) : quantize(interpolateSinebow, heads + 1).slice(0, heads);
}

/** Which token the lines are shown for: a query on the left or a key on the right. */
interface Focus {
  side: 'left' | 'right';
  index: number;
}

/** The head view's state that other views (the model view) can set. */
export interface HeadView {
  element: HTMLElement;
  /** Shows `layer` with only `head` switched on (all heads when absent). */
  show(layer: number, head?: number): void;
}

const ROW = 20;
const COLUMN = 120;
const GAP = 150;
const TOP = 6;
const IMAGE = 224;
const IMAGE_GAP = 70;
const SVG = 'http://www.w3.org/2000/svg';
const percent = format('.1%');

/** Draws the head view of `source`; `name` says whose attention it is (for the labels). */
export function drawHeadView(source: AttentionSource, name: string): HeadView {
  const colours = headColours(source.heads);
  const state = { layer: 0, on: Array<boolean>(source.heads).fill(true), hover: null as Focus | null, pinned: null as Focus | null, tabbable: { side: 'left', index: 0 } as Focus };
  const element = el('div', 'head-view');
  const layerSelect = el('select');
  layerSelect.setAttribute('aria-label', `Layer of the head view of ${name}`);
  for (let l = 0; l < source.layers; l++) {
    const option = el('option', undefined, `Layer ${l}`);
    option.value = String(l);
    layerSelect.append(option);
  }
  layerSelect.addEventListener('change', () => {
    state.layer = Number(layerSelect.value);
    redraw();
  });
  const toggles = el('div', 'hv-heads');
  toggles.setAttribute('role', 'group');
  toggles.setAttribute('aria-label', 'Heads shown (double-click a head to show it alone)');
  const boxes = colours.map((colour, h) => {
    const label = el('label', 'hv-head');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = true;
    box.setAttribute('aria-label', `Head ${h}`);
    box.addEventListener('change', () => {
      state.on[h] = box.checked;
      redraw();
    });
    label.addEventListener('dblclick', (event) => {
      event.preventDefault();
      view.show(state.layer, h);
    });
    const swatch = el('span', 'hv-swatch');
    swatch.style.backgroundColor = colour;
    label.append(box, swatch, el('span', undefined, String(h)));
    toggles.append(label);
    return box;
  });
  const all = commandButton('All heads', 'Show all heads of the layer', () => view.show(state.layer), 'hv-all');
  all.secondary = true;
  const controls = el('div', 'controls hv-controls');
  const layerLabel = el('label', 'control-label', 'Layer');
  layerLabel.append(' ', layerSelect);
  controls.append(layerLabel, toggles, all);

  const { tokens, image } = source;
  const positions = tokens.map((t) => t.position);
  const patches = image ? Array.from({ length: image.rows * image.cols }, (_, p) => image.firstPatch + p) : [];
  const left = image ? IMAGE + IMAGE_GAP : 0;
  const right = left + COLUMN + GAP;
  const height = TOP * 2 + Math.max(tokens.length * ROW, image ? IMAGE : 0);
  const svg = select(document.createElementNS(SVG, 'svg'))
    .attr('class', 'hv-svg')
    .attr('width', right + COLUMN)
    .attr('height', height)
    .attr('viewBox', `0 0 ${right + COLUMN} ${height}`)
    .attr('role', 'group')
    .attr('aria-label', `Attention lines among the tokens of ${name}`);
  if (image) drawImage(svg.node()!, image);
  const lineLayer = svg.append('g').attr('class', 'hv-lines').attr('aria-hidden', 'true');
  const patchLayer = svg.append('g').attr('class', 'hv-patch-lines').attr('aria-hidden', 'true');
  const tokenY = (i: number) => TOP + i * ROW + ROW / 2;
  const status = el('p', 'note hv-status');
  status.setAttribute('aria-live', 'polite');
  const cap = el('p', 'note', `Lines: per head and query token the ${LINE_LIMIT} strongest keys of at least ${LINE_FLOOR}, opacity = weight / heads shown (so the heads add up to their mean).${image ? ' Lines onto the image: from the token in focus to its strongest patches, width and opacity by weight relative to the strongest one drawn.' : ''}`);

  const columns = (['left', 'right'] as const).map((side) => {
    const x = side === 'left' ? left : right;
    return svg.append('g').attr('class', `hv-column hv-${side}`).selectAll('g').data(tokens).join('g')
      .attr('class', (t) => (isSpecialToken(t.label) ? 'hv-token hv-token-special' : 'hv-token'))
      .attr('data-side', side)
      .attr('data-index', (_, i) => i)
      .attr('tabindex', -1)
      .attr('role', 'button')
      .attr('aria-label', (t, i) => `${side === 'left' ? 'From' : 'To'} token ${i} ${JSON.stringify(t.label)}`)
      .each(function (t, i) {
        const g = select(this);
        g.append('rect').attr('class', 'hv-token-box').attr('x', x).attr('y', TOP + i * ROW).attr('width', COLUMN).attr('height', ROW);
        g.append('text').attr('x', side === 'left' ? x + COLUMN - 6 : x + 6).attr('y', tokenY(i)).attr('dy', '0.35em')
          .attr('text-anchor', side === 'left' ? 'end' : 'start').text(shorten(t.label));
      })
      .on('mouseenter', (_, t) => setHover({ side, index: tokens.indexOf(t) }))
      .on('mouseleave', () => setHover(null))
      .on('focus', (_, t) => {
        state.tabbable = { side, index: tokens.indexOf(t) };
        setHover(state.tabbable);
      })
      .on('blur', () => setHover(null))
      .on('click', (_, t) => pin({ side, index: tokens.indexOf(t) }))
      .on('keydown', (event: KeyboardEvent, t) => keyed(event, { side, index: tokens.indexOf(t) }));
  });

  function setHover(focus: Focus | null) {
    state.hover = focus;
    redraw();
  }
  function pin(focus: Focus) {
    const same = state.pinned?.side === focus.side && state.pinned.index === focus.index;
    state.pinned = same ? null : focus;
    redraw();
  }
  function keyed(event: KeyboardEvent, at: Focus) {
    const moves: Record<string, Focus> = {
      ArrowUp: { side: at.side, index: Math.max(0, at.index - 1) },
      ArrowDown: { side: at.side, index: Math.min(tokens.length - 1, at.index + 1) },
      ArrowLeft: { side: 'left', index: at.index },
      ArrowRight: { side: 'right', index: at.index },
      Home: { side: at.side, index: 0 },
      End: { side: at.side, index: tokens.length - 1 },
    };
    if (event.key === 'Enter' || event.key === ' ') pin(at);
    else if (event.key === 'Escape') {
      state.pinned = null;
      redraw();
    } else if (event.key in moves) {
      state.tabbable = moves[event.key];
      redraw();
      tokenNode(state.tabbable)?.focus();
    } else return;
    event.preventDefault();
  }
  const tokenNode = (focus: Focus) => columns[focus.side === 'left' ? 0 : 1].nodes()[focus.index] as SVGGElement | undefined;

  /** The lines of the layer for the heads on, limited to those of `focus` when given. */
  function tokenLines(focus: Focus | null) {
    const lines: { head: number; query: number; key: number; weight: number }[] = [];
    const queries = focus?.side === 'left' ? [focus.index] : tokens.map((_, i) => i);
    for (let h = 0; h < source.heads; h++) {
      if (!state.on[h]) continue;
      for (const query of queries) {
        const row = source.row(state.layer, h, tokens[query].position);
        if (!row) continue;
        for (const kept of strongestKeys(row, positions)) {
          if (focus?.side !== 'right' || kept.index === focus.index) lines.push({ head: h, query, key: kept.index, weight: kept.weight });
        }
      }
    }
    return lines;
  }

  function redraw() {
    const focus = state.hover ?? state.pinned;
    const shown = state.on.filter(Boolean).length;
    layerSelect.value = String(state.layer);
    boxes.forEach((box, h) => (box.checked = state.on[h]));
    const lines = tokenLines(focus);
    lineLayer.selectAll('line').data(lines).join('line')
      .attr('class', 'hv-line')
      .attr('x1', left + COLUMN).attr('y1', (d) => tokenY(d.query))
      .attr('x2', right).attr('y2', (d) => tokenY(d.key))
      .attr('stroke', (d) => colours[d.head])
      .attr('stroke-width', 2)
      .attr('stroke-opacity', (d) => d.weight / shown)
      .attr('data-head', (d) => d.head).attr('data-query', (d) => d.query).attr('data-key', (d) => d.key).attr('data-weight', (d) => d.weight);
    const onImage = image && focus?.side === 'left' ? patchLines(focus.index) : [];
    const strongest = Math.max(0, ...onImage.map((d) => d.weight));
    const patchLine = patchLayer.selectAll('g').data(onImage).join((enter) => {
      const g = enter.append('g');
      g.append('line').attr('class', 'hv-patch-line');
      g.append('circle').attr('class', 'hv-patch-end');
      return g;
    });
    patchLine.select('line')
      .attr('x1', left).attr('y1', (d) => tokenY(d.query))
      .attr('x2', (d) => d.x).attr('y2', (d) => d.y)
      .attr('stroke', (d) => colours[d.head])
      .attr('stroke-width', (d) => 1 + 3 * (d.weight / strongest))
      .attr('stroke-opacity', (d) => d.weight / strongest)
      .attr('data-head', (d) => d.head).attr('data-patch', (d) => d.patch).attr('data-weight', (d) => d.weight);
    patchLine.select('circle').attr('cx', (d) => d.x).attr('cy', (d) => d.y).attr('r', 3).attr('fill', (d) => colours[d.head]);
    columns.forEach((column, c) => column
      .classed('hv-focused', (_, i) => focus?.side === (c === 0 ? 'left' : 'right') && focus.index === i)
      .classed('hv-pinned', (_, i) => state.pinned?.side === (c === 0 ? 'left' : 'right') && state.pinned.index === i)
      .attr('aria-pressed', (_, i) => String(state.pinned?.side === (c === 0 ? 'left' : 'right') && state.pinned.index === i))
      .attr('tabindex', (_, i) => (state.tabbable.side === (c === 0 ? 'left' : 'right') && state.tabbable.index === i ? 0 : -1)));
    status.textContent = describe(focus, lines.length, onImage.length, shown);
  }

  /** Head `head`'s row whose patch keys the image lines of left token `query` come from, in the layer shown. */
  function imageRow(head: number, query: number): Float32Array | null {
    const position = tokens[query].position;
    return image?.row ? image.row(state.layer, head, position) : source.row(state.layer, head, position);
  }

  /** Lines from left token `query` to its strongest patches, per head on. */
  function patchLines(query: number) {
    if (!image) return [];
    const out: { head: number; query: number; patch: number; weight: number; x: number; y: number }[] = [];
    for (let h = 0; h < source.heads; h++) {
      const row = state.on[h] ? imageRow(h, query) : null;
      if (!row) continue;
      for (const kept of strongestKeys(row, patches)) {
        const [r, c] = [Math.floor(kept.index / image.cols), kept.index % image.cols];
        out.push({ head: h, query, patch: kept.index, weight: kept.weight, x: ((c + 0.5) / image.cols) * IMAGE, y: TOP + ((r + 0.5) / image.rows) * IMAGE });
      }
    }
    return out;
  }

  /** The image's share of a left token's attention, mean of the heads on. */
  function imageShare(query: number, shown: number): number | null {
    let sum = 0;
    for (let h = 0; h < source.heads; h++) {
      if (!state.on[h]) continue;
      const row = imageRow(h, query);
      if (!row) return null;
      for (const p of patches) sum += row[p];
    }
    return shown > 0 ? sum / shown : null;
  }

  function describe(focus: Focus | null, lines: number, onImage: number, shown: number): string {
    const heads = `Layer ${state.layer}, ${shown} of ${source.heads} heads.`;
    if (!focus) return `${heads} ${count(lines, 'line')}. Point at, focus or click a token to see only its lines${image ? ' and where it looks on the image' : ''}.`;
    const token = JSON.stringify(tokens[focus.index].label);
    if (focus.side === 'right') return `${heads} ${count(lines, 'line')} into token ${focus.index} ${token}.`;
    const share = image ? imageShare(focus.index, shown) : null;
    const toImage = image ? ` ${count(onImage, 'line')} onto the image${share === null ? '' : `, which gets ${percent(share)} of its ${image.row ? 'cross-attention' : 'attention'}`}.` : '';
    return `${heads} ${count(lines, 'line')} from token ${focus.index} ${token}.${toImage}${state.pinned ? ' Pinned: click it again or press Escape to free it.' : ''}`;
  }

  const view: HeadView = {
    element,
    show(layer, head) {
      state.layer = layer;
      state.on = state.on.map((_, h) => head === undefined || h === head);
      redraw();
    },
  };
  element.append(controls, cap, svg.node()!, status);
  redraw();
  return view;
}

/** The image with its patch grid, in the view's own units (a square centre crop, as the overlay shows it). */
function drawImage(svg: SVGSVGElement, image: PatchImage): void {
  const g = select(svg).append('g').attr('class', 'hv-image');
  g.append('image').attr('href', image.url).attr('x', 0).attr('y', TOP).attr('width', IMAGE).attr('height', IMAGE)
    .attr('preserveAspectRatio', 'xMidYMid slice').attr('aria-label', image.alt).attr('role', 'img');
  const grid = g.append('g').attr('class', 'hv-grid').attr('aria-hidden', 'true');
  for (let c = 0; c <= image.cols; c++) grid.append('line').attr('x1', (c / image.cols) * IMAGE).attr('x2', (c / image.cols) * IMAGE).attr('y1', TOP).attr('y2', TOP + IMAGE);
  for (let r = 0; r <= image.rows; r++) grid.append('line').attr('y1', TOP + (r / image.rows) * IMAGE).attr('y2', TOP + (r / image.rows) * IMAGE).attr('x1', 0).attr('x2', IMAGE);
}

/** `n` and `noun`, plural unless n is 1. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A label that fits a column: long tokens cut with an ellipsis (the aria label keeps the whole token). */
function shorten(label: string): string {
  return label.length > 16 ? `${label.slice(0, 15)}\u2026` : label;
}
