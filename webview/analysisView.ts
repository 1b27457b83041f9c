/**
 * The whole analysis on one page: model facts and notices, each image with a switchable overlay, the
 * score tables, the layer lens, the per-head attention grid and the token strips. Shared by the HTML report and the VS Code
 * panels; it only draws what the AnalysisResult holds.
 */
import { format } from 'd3';
import { alignmentMapName, architectureLabel, gridWindow, type AnalysisResult, type ImageInfo } from '../src/shared/analysisResult';
import type { Box } from '../src/shared/mapEvaluation';
import type { PackedAttention } from '../src/shared/packedAttention';
import type { ReportData } from '../src/shared/reportData';
import { extentScale, legend, overlayScale, viridisScale } from './draw/colorScale';
import { appendNotices, baseName, el, labelledCheckbox, labelledNumber, labelledSelect, type Choice } from './draw/dom';
import { AttentionRows } from './attentionRows';
import { drawHeadGrid, type HeadGridChoice, type HeadGridView } from './draw/headGrid';
import { gridFromMatrix, type GridValues } from './draw/heatmapCanvas';
import { createOverlay, type Overlay } from './draw/overlay';
import { boxesOnWindow } from './draw/imageWindow';
import { drawScoreTable } from './draw/similarityTable';
import { drawTokenStrip } from './draw/tokenStrip';
import { fusionSection } from './fusionSection';
import { textAttentionSection } from './textAttentionSection';
import { occlusionControls, type AnalysisActions } from './occlusionControls';
import { mapTrustNote, offeredMethods } from './mapTrust';
import { headGridExports, overlayExports, type ShownOverlay } from './figureExports';
import { layerLensSection, lensMapChoices } from './layerLensSection';
import { resultExport } from './panelExports';

function section(title: string, className: string): HTMLElement {
  const element = el('section', className);
  element.append(el('h2', undefined, title));
  return element;
}

function header(result: AnalysisResult): HTMLElement {
  const element = el('header', 'summary');
  element.append(el('h1', undefined, `Multimodal Lens: ${result.model.name}`));
  const facts = el('dl', 'facts');
  const architecture = architectureLabel(result.model.architecture);
  const bias = result.logitBias === undefined ? [] : [['Logit bias', format('.4~g')(result.logitBias)]];
  for (const [term, value] of [['Architecture', architecture], ['Execution provider', result.model.executionProvider], ['Logit scale', format('.4~g')(result.logitScale)], ...bias]) {
    facts.append(el('dt', undefined, term), el('dd', undefined, value));
  }
  element.append(facts);
  appendNotices(element, result.model.notices);
  return element;
}

/** The maps one image can show, by select value. */
function mapChoices(result: AnalysisResult, image: number): { choices: Choice[]; maps: Map<string, { grid: GridValues; label: string }> } {
  const maps = new Map<string, { grid: GridValues; label: string }>();
  const rollout = result.maps.rollout[image];
  if (rollout) maps.set('rollout', { grid: gridFromMatrix(rollout), label: 'Attention rollout' });
  const flow = result.maps.flow?.[image];
  if (flow) maps.set('flow', { grid: gridFromMatrix(flow), label: 'Attention flow (max-flow)' });
  const pooling = result.maps.pooling?.[image];
  if (pooling) maps.set('pooling', { grid: gridFromMatrix(pooling), label: 'Attention-pooling head (where the embedding looks)' });
  const mapName = alignmentMapName(result.alignmentMethod);
  result.maps.alignment[image]?.forEach((map, t) => maps.set(`alignment-${t}`, { grid: gridFromMatrix(map), label: `${mapName} "${result.texts[t]?.text ?? t}"` }));
  for (const [value, map] of lensMapChoices(result, image)) maps.set(value, map);
  const choices = [{ value: 'none', label: 'None' }, ...[...maps].map(([value, map]) => ({ value, label: map.label }))];
  return { choices, maps };
}

/**
 * Whether text `t` does not match image `image` by the model's own score: the matching head's probability below
 * one half, a sigmoid per pair below one half, or a softmax share below an even split; never for a lone text
 * under a softmax, whose 100% says nothing.
 */
function scoresLow(result: AnalysisResult, image: number, t: number): { low: boolean; how: string } {
  const percent = format('.1%');
  if (result.itm) return { low: result.itm[image][t] < 0.5, how: `match probability ${percent(result.itm[image][t])}` };
  const p = result.probabilities[image]?.[t] ?? 1;
  if (result.logitBias !== undefined) return { low: p < 0.5, how: `probability ${percent(p)}` };
  const texts = result.texts.length;
  return { low: texts > 1 && p < 1 / texts, how: `${percent(p)} of the probability over ${texts} texts` };
}

/** The analysis panel's image with its overlay, in CSS pixels: the workbench's largest view. */
const OVERLAY_PX = 384;

/** How an image card opens: on which overlay, and with which boxes outlined. */
interface CardOpening {
  overlay?: string;
  boxes?: Box[];
}

function imageCard(result: AnalysisResult, index: number, url: string, actions: AnalysisActions | undefined, opening: CardOpening): HTMLElement {
  const info = result.images[index];
  const name = info ? baseName(info.path) : `image ${index}`;
  const card = el('figure', 'image-card');
  const overlay = createOverlay(url, name, OVERLAY_PX, info && gridWindow(info));
  const legendSlot = el('div', 'legend-slot');
  const lowNote = el('p', 'note low-score');
  const { choices, maps } = mapChoices(result, index);
  const trust = mapTrustNote(result, offeredMethods(result, maps.keys(), actions !== undefined));
  // The texts' alignment maps share one colour scale by default, so a text the image does not hold looks dim.
  const alignments = result.maps.alignment[index] ?? [];
  const shared = alignments.length > 1 ? extentScale(alignments.flat(2)) : undefined;
  let scaleMode: 'shared' | 'own' = 'shared';
  let current = 'none';
  let shown: ShownOverlay['map'] = null;
  const show = (value: string) => {
    current = value;
    const map = maps.get(value);
    const text = value.startsWith('alignment-') ? Number(value.slice('alignment-'.length)) : undefined;
    const common = text !== undefined && shared && scaleMode === 'shared';
    // Over the image the low values fade out, so the image shows where the map is low (the legend says so).
    const scale = map ? overlayScale(common ? shared : extentScale(Array.from(map.grid.values))) : undefined;
    overlay.setMap(map?.grid ?? null, scale);
    const range = text === undefined || !shared ? '' : common ? ` (one scale for this image's ${alignments.length} texts)` : ' (this map\'s own range)';
    legendSlot.replaceChildren(...(map && scale ? [legend(scale, `${map.label}${range}`)] : []));
    shown = map && scale ? { label: map.label, grid: map.grid, scale, legend: `${map.label}${range}` } : null;
    const low = text === undefined ? undefined : scoresLow(result, index, text);
    lowNote.textContent = low?.low ? `"${result.texts[text!]?.text ?? text}" scores low on this image (${low.how}): the map shows where it looks most alike, not that it is there.` : '';
    lowNote.hidden = !low?.low;
    trust.show(value);
  };
  const initial = choices.some((c) => c.value === opening.overlay) ? opening.overlay! : choices[1]?.value ?? 'none';
  const select = labelledSelect('Overlay', choices, initial, show);
  const controls = el('div', 'controls');
  controls.append(
    select.element,
    labelledNumber('Opacity', 'range', { min: 0, max: 1, step: 0.05, value: 0.6 }, (v) => overlay.setOpacity(v)).element,
  );
  if (shared) {
    const scaleChoices = [{ value: 'shared', label: 'one for all texts' }, { value: 'own', label: 'each map its own' }];
    controls.append(labelledSelect('Colour scale', scaleChoices, scaleMode, (value) => {
      scaleMode = value as 'shared' | 'own';
      show(current);
    }).element);
  }
  const truth = info && opening.boxes?.length ? boxOutlines(overlay, opening.boxes, info) : undefined;
  if (truth) controls.append(truth.toggle);
  overlay.setOpacity(0.6);
  show(initial);
  const caption = el('figcaption', undefined, info ? `${name} (${info.width} x ${info.height})` : name);
  // The card's toolbar above the image: the map choice, opacity and scale, then the panel's occlusion and exports.
  const toolbar = el('div', 'card-toolbar');
  toolbar.append(controls);
  card.append(toolbar, overlay.element);
  if (actions) {
    // A computed occlusion map joins the overlay list (replacing an earlier one for the same text) and is shown.
    toolbar.append(occlusionControls(result, index, actions, ({ key, label, grid }) => {
      maps.set(key, { grid, label });
      select.control.querySelector(`option[value="${key}"]`)?.remove();
      const option = el('option', undefined, label);
      option.value = key;
      select.control.append(option);
      select.control.value = key;
      show(key);
    }), overlayExports(overlay.element, name, () => ({ title: shown ? `${name}: ${shown.label}` : name, map: shown, notes: lowNote.hidden ? [] : [lowNote.textContent ?? ''], image: info?.path ?? name, boxes: truth?.shown() ?? [] }), actions.exportFile));
  }
  card.append(legendSlot, lowNote, ...(truth ? [truth.note] : []), trust.element, caption);
  return card;
}

/**
 * Outlines `boxes` (in the pixels of `image`) on `overlay`, with a checkbox that hides them and a note saying what
 * they are and which the model's input window cuts; `shown` gives the boxes outlined now.
 */
function boxOutlines(overlay: Overlay, boxes: Box[], image: ImageInfo): { toggle: HTMLElement; note: HTMLElement; shown: () => Box[] } {
  const onSquare = boxesOnWindow(boxes, image.width, image.height, gridWindow(image));
  let visible = true;
  overlay.setBoxes(onSquare);
  const toggle = labelledCheckbox('Boxes', visible, (checked) => {
    visible = checked;
    overlay.setBoxes(visible ? onSquare : []);
  });
  const cut = onSquare.filter((b) => b.cut).length;
  const outside = boxes.length - onSquare.length;
  const caveats = [
    ...(cut > 0 ? [cut === 1 ? 'one box reaches past the part of the image the model sees and is cut at its edge' : `${cut} boxes reach past the part of the image the model sees and are cut at its edge`] : []),
    ...(outside > 0 ? [outside === 1 ? 'one lies wholly outside it and is not drawn' : `${outside} lie wholly outside it and are not drawn`] : []),
  ];
  const note = el('p', 'note truth-boxes', `Outlined: the manifest's ${boxes.length === 1 ? 'box' : `${boxes.length} boxes`} for this case${caveats.length > 0 ? `; ${caveats.join('; ')}` : ''}.`);
  return { toggle: toggle.element, note, shown: () => (visible ? boxes : []) };
}

function scoresSection(result: AnalysisResult): HTMLElement {
  const element = section('Image-text scores', 'scores');
  const rowLabels = result.images.map((image) => baseName(image.path));
  const colLabels = result.texts.map((text) => text.text);
  const common = { rowLabels, colLabels };
  // A matching head's scores come with `itm`; without one, the similarity is a cosine of embeddings.
  const matching = result.itm !== undefined;
  const similarityCaption = matching ? 'Match log-odds (ITM logit of match minus no match)' : 'Cosine similarity';
  // Cosines on their fixed range, so one good score is not the darkest colour just for being the smallest.
  drawScoreTable(element, { ...common, caption: similarityCaption, values: result.similarity, format: format('.3f'), scale: matching ? extentScale(result.similarity.flat()) : viridisScale(-1, 1) });
  const percent = format('.1%');
  const probabilityCaption = matching ? 'Probability over texts (softmax of the match log-odds)'
    : result.logitBias !== undefined ? 'Probability per pair (sigmoid of similarity x logit scale + bias)' : 'Probability over texts (softmax of similarity x logit scale)';
  // A softmax over one text is 100% whatever the image: printed, not coloured.
  const trivial = result.texts.length === 1 && result.logitBias === undefined;
  drawScoreTable(element, { ...common, caption: probabilityCaption, values: result.probabilities, format: percent, scale: trivial ? undefined : viridisScale(0, 1) });
  if (result.itm) drawScoreTable(element, { ...common, caption: 'Image-text match probability', values: result.itm, format: percent, scale: viridisScale(0, 1) });
  return element;
}

function headsSection(result: AnalysisResult, images: string[], packed: PackedAttention | undefined, actions: AnalysisActions | undefined): HTMLElement {
  const element = section('Attention per head', 'heads');
  const tokens = packed?.attention.tokens ?? 0;
  if (!packed || tokens < result.grid.rows * result.grid.cols) {
    element.append(el('p', 'note', result.attentionObservable ? 'This page holds no per-head attention (it was written with --report-attention none).' : 'This model hides its attention (fused attention operators), so there are no head maps.'));
    return element;
  }
  const attention = new AttentionRows(packed.attention);
  // A panel whose page holds the first token's rows only asks the extension for the others.
  const fetchRows = attention.allQueries ? undefined : actions?.attentionRows;
  const choosable = attention.allQueries || fetchRows !== undefined;
  const tower = packed.tower === 'vision' ? 'Vision tower' : 'Joint graph';
  const pointing = choosable ? ' Select a head to enlarge it; click a patch of the enlarged head to see where that patch attends.' : ' Select a head to enlarge it.';
  element.append(el('p', 'note', `${tower}: each thumbnail is one head's attention from the query token over the patch grid, scaled to its own range.${pointing}`));
  if (!attention.allQueries) {
    element.append(el('p', 'note', fetchRows
      ? 'To stay small, this page holds each head\'s attention from the first token only; the rows of another query token are fetched from the extension when you pick it.'
      : 'To stay small, this page holds each head\'s attention from the first token only; write the report with --report-attention full for every query token.'));
  }
  const choice: HeadGridChoice = { item: 0, layer: 'all', query: 0 };
  const grid = el('div', 'head-grid');
  const detail = el('div', 'head-detail');
  detail.setAttribute('aria-live', 'polite');
  const view: HeadGridView = {};
  const redraw = () => {
    // The image under the enlarged head: item i of a vision tower is image i; joint pair i x texts + j has image i.
    const image = packed.tower === 'vision' ? choice.item : Math.floor(choice.item / Math.max(1, result.texts.length));
    const info = result.images[image];
    view.image = images[image] ? { url: images[image], alt: `${baseName(info?.path ?? 'image')}, under the map`, window: info && gridWindow(info) } : undefined;
    drawHeadGrid(grid, detail, attention, result.grid, choice, view);
  };
  const pick = choosable ? queryPicker(attention, choice, tokens, redraw, fetchRows) : undefined;
  const items = Array.from({ length: packed.attention.items }, (_, i) => ({ value: String(i), label: packed.tower === 'vision' && result.images[i] ? baseName(result.images[i].path) : `item ${i}` }));
  const layers = [{ value: 'all', label: 'All layers' }, ...Array.from({ length: packed.attention.layers }, (_, l) => ({ value: String(l), label: `Layer ${l}` }))];
  const controls = el('div', 'controls');
  controls.append(
    labelledSelect('Input', items, '0', (v) => {
      choice.item = Number(v);
      if (pick) void pick.choose(choice.query);
      else redraw();
    }).element,
    labelledSelect('Layer', layers, 'all', (v) => {
      choice.layer = v === 'all' ? 'all' : Number(v);
      redraw();
    }).element,
  );
  if (pick) {
    controls.append(...pick.elements);
    view.onQuery = (query) => void pick.choose(query);
  }
  element.append(controls, grid, detail);
  if (actions) {
    // The grid as drawn now: its input, layers and query token, each head on its own range.
    const title = () => `Attention per head: ${items[choice.item]?.label ?? `item ${choice.item}`}, ${choice.layer === 'all' ? 'all layers' : `layer ${choice.layer}`}, from token ${choice.query}`;
    element.insertBefore(headGridExports(grid, title, `${tower}: each map is one head's attention from the query token over the patch grid`, actions.exportFile), detail);
  }
  redraw();
  return element;
}

/**
 * The query token's number box and status line. A query whose rows of the chosen item the page lacks is fetched
 * first (`fetchRows`); only the latest pick is drawn, and a failed fetch is said in the status line.
 */
function queryPicker(attention: AttentionRows, choice: HeadGridChoice, tokens: number, redraw: () => void, fetchRows?: AnalysisActions['attentionRows']): { elements: HTMLElement[]; choose(query: number): Promise<void> } {
  const status = el('span', 'head-status');
  status.setAttribute('role', 'status');
  let latest = 0;
  const choose = async (query: number) => {
    latest = query;
    input.control.value = String(query);
    const item = choice.item;
    if (!attention.hasRows(item, query) && fetchRows) {
      status.textContent = `Fetching the attention of token ${query}...`;
      try {
        const reply = await fetchRows(item, query);
        if (!attention.addRows(item, query, reply.rows)) throw new Error('the reply does not have one row per layer and head');
      } catch (error) {
        if (latest === query) status.textContent = `Could not fetch the attention of token ${query}: ${(error as Error).message}`;
        return;
      }
      if (latest !== query || item !== choice.item) return;
      status.textContent = '';
    }
    choice.query = query;
    redraw();
  };
  const input = labelledNumber('Query token (0 = first/CLS)', 'number', { min: 0, max: tokens - 1, step: 1, value: 0 }, (v) => void choose(v));
  return { elements: [input.element, status], choose };
}

function tokensSection(result: AnalysisResult): HTMLElement {
  const element = section('Tokens', 'texts');
  for (const text of result.texts) drawTokenStrip(element, text);
  return element;
}

/**
 * Draws `data` into `container`, replacing its content; `images[i]` is the URL of image i (a data: URL in the
 * report). `actions`, in a VS Code panel, lets the page ask the extension for more (occlusion maps); `overlay` is
 * the overlay each image opens on (the first map when absent or not offered); `boxes` are outlined on their image.
 */
export function renderAnalysis(container: HTMLElement, { result, images, attention, overlay, boxes }: ReportData, actions?: AnalysisActions): void {
  const gallery = section('Images', 'images');
  const cards = el('div', 'image-cards');
  images.forEach((url, i) => cards.append(imageCard(result, i, url, actions, { overlay, boxes: boxes?.[i] })));
  gallery.append(cards);
  const timings = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${format('.0f')(ms)} ms`);
  const footer = el('footer', 'timings', timings.length > 0 ? `Timings: ${timings.join(', ')}` : '');
  container.classList.add('mmlens');
  const fusion = attention ? fusionSection(result, attention) : undefined;
  const textAttention = textAttentionSection(result, images, attention, actions);
  const head = header(result);
  if (actions) head.append(resultExport(result, actions));
  // The workbench: the images large on the left, the score tables and the head grid beside them (one column when narrow).
  const side = el('div', 'workbench-side');
  const lens = layerLensSection(result);
  side.append(scoresSection(result), ...(lens ? [lens] : []), headsSection(result, images, attention, actions));
  const workbench = el('div', 'workbench');
  workbench.append(gallery, side);
  container.replaceChildren(head, workbench, ...(fusion ? [fusion] : []), ...(textAttention ? [textAttention] : []), tokensSection(result), footer);
}
