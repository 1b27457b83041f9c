/**
 * The generation report: the answer with every token a button; the chosen token's map over the image (its
 * attention with the result's head and layer fusion, or its occlusion / RISE map when the result has one), each
 * image token painted over the part of the image it covers (a split image's tiles, or its whole-image tile, by a
 * control), its image share per decoder layer, its log-probability and the model's top alternatives. Maps share
 * one colour scale across the answer's tokens by default, so a token that barely looks at the image looks dim; a
 * control switches to a scale per token. Left and right arrows move between tokens. Below, two chosen tokens' maps
 * side by side (generationCompare.ts). Every text goes in as text.
 */
import { format } from 'd3';
import type { GenerationReportData, GenerationResult } from '../src/shared/generationResult';
import { drawBarChart } from './draw/barChart';
import { extentScale, legend, overlayScale } from './draw/colorScale';
import { appendNotices, baseName, el, labelledSelect } from './draw/dom';
import { createRegionOverlay } from './draw/regionOverlay';
import { createCompareView } from './generationCompare';
import { mapMeasure, mapOf, regionsOf, type MapSource, type TileSet } from './generationMaps';

type ScaleMode = 'answer' | 'token';

const logprob = format('.3f');
const share = format('.1%');

function header(result: GenerationResult): HTMLElement {
  const element = el('header', 'summary');
  element.append(el('h1', undefined, `Multimodal Lens generation: ${result.model.name}`));
  const facts = el('dl', 'facts');
  const { decoding } = result;
  for (const [term, value] of [
    ['Model', `${result.model.family} (generative) on ${result.model.executionProvider}`],
    ['Decoding', decoding.mode === 'greedy' ? `greedy, at most ${decoding.maxNewTokens} tokens` : `sampled: seed ${decoding.seed}, temperature ${decoding.temperature}, top-p ${decoding.topP}`],
    ['Stopped at', result.stopReason === 'endToken' ? 'the end token' : 'the token limit'],
    ['Maps', `attention, heads ${result.fusion.heads}, layers ${result.fusion.layers[0]}-${result.fusion.layers[1]}${result.perturbation ? `; ${result.perturbation.method}, ${result.perturbation.forwardPasses} forward passes` : ''}`],
  ]) facts.append(el('dt', undefined, term), el('dd', undefined, value));
  element.append(facts, el('h2', undefined, 'Prompt'), el('pre', 'prompt-text', collapseRuns(result.prompt.text)));
  appendNotices(element, result.model.notices);
  if (!result.attentionObserved.available) appendNotices(element, [`Attention is not observable: ${result.attentionObserved.reason}.`]);
  return element;
}

/** The prompt with each run of one repeated marker (an image's hundreds of image tokens) written once with its count. */
function collapseRuns(text: string): string {
  return text.replace(/(<[^<>\s]+>)\1{2,}/g, (run, token: string) => `${token} × ${run.length / token.length}`);
}

/** Draws `data` into `container`, replacing its content. */
export function renderGeneration(container: HTMLElement, data: GenerationReportData): void {
  const { result } = data;
  const state = { token: 0, image: 0, source: (result.attentionObserved.available ? 'attention' : 'perturbation') as MapSource, scale: 'answer' as ScaleMode, tiles: 'tiles' as TileSet };
  const answer = el('p', 'answer');
  answer.setAttribute('role', 'toolbar');
  answer.setAttribute('aria-label', 'Generated tokens: choose one to see its map');
  const buttons = result.generated.map((token, k) => {
    const button = el('button', 'token', token.text === '' ? '∅' : token.text);
    button.type = 'button';
    button.title = `token ${k}: id ${token.id}, log-probability ${logprob(token.logprob)}`;
    button.addEventListener('click', () => choose(k));
    button.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      choose(Math.min(Math.max(state.token + step, 0), buttons.length - 1));
      buttons[state.token].focus();
    });
    return button;
  });
  answer.append(...buttons);

  const controls = el('div', 'controls');
  const sources = [{ value: 'attention', label: 'attention' }, ...(result.perturbation ? [{ value: 'perturbation', label: result.perturbation.method }] : [])];
  controls.append(labelledSelect('Map', sources, state.source, (value) => { state.source = value as MapSource; draw(); }).element);
  controls.append(labelledSelect('Colour scale', [{ value: 'answer', label: 'shared by the answer' }, { value: 'token', label: 'this token alone' }], state.scale, (value) => { state.scale = value as ScaleMode; draw(); }).element);
  if (result.images.some((image) => image.tiles.length > 1)) {
    controls.append(labelledSelect('Image tokens', [{ value: 'tiles', label: 'the tiles of the split image' }, { value: 'global', label: 'the whole image, resized to one tile' }], state.tiles, (value) => { state.tiles = value as TileSet; draw(); }).element);
  }
  if (result.images.length > 1) {
    controls.append(labelledSelect('Image', result.images.map((image, i) => ({ value: String(i), label: baseName(image.path) })), '0', (value) => { state.image = Number(value); draw(); }).element);
  }
  const detail = el('section', 'token-detail');
  detail.setAttribute('aria-live', 'polite');
  const compare = result.generated.length > 1 ? createCompareView(data, () => state) : undefined;

  function choose(k: number): void {
    state.token = k;
    draw();
  }

  function draw(): void {
    buttons.forEach((button, k) => button.setAttribute('aria-pressed', String(k === state.token)));
    const token = result.generated[state.token];
    const image = result.images[state.image];
    const overlay = createRegionOverlay(data.images[state.image] ?? '', `${baseName(image.path)} with the map of ${JSON.stringify(token.text)}`, image.width, image.height);
    const values = mapOf(token, state.source, state.image);
    const shown = (map: number[] | undefined) => (map ? regionsOf(image, map, state.tiles).map((r) => r.value) : []);
    const pool = state.scale === 'token' ? [shown(values)] : result.generated.map((t) => shown(mapOf(t, state.source, state.image)));
    const scale = overlayScale(extentScale(pool.flat()));
    if (values) overlay.setRegions(regionsOf(image, values, state.tiles), scale);
    overlay.setOpacity(0.6);
    const what = mapMeasure(result, state.source);
    const figure = el('figure', 'token-map');
    figure.append(overlay.element, values ? legend(scale, what) : el('p', 'note', `No ${state.source} map for this token.`));
    const facts = el('div', 'token-facts');
    facts.append(el('h2', undefined, `${JSON.stringify(token.text)} (token ${state.token}, id ${token.id})`), el('p', undefined, `log-probability ${logprob(token.logprob)} (probability ${share(Math.exp(token.logprob))})`));
    if (token.imageShare.length > 0) {
      drawBarChart(facts, { caption: 'Attention on the image, per decoder layer (head mean)', bars: token.imageShare.map((value, layer) => ({ label: `layer ${layer}`, value })), format: share, domain: [0, 1] });
    }
    const alternatives = el('table', 'score-table');
    alternatives.append(el('caption', undefined, 'Most probable tokens at this step'));
    for (const top of token.top) {
      const row = el('tr');
      row.append(el('td', undefined, JSON.stringify(top.text)), el('td', undefined, logprob(top.logprob)));
      alternatives.append(row);
    }
    facts.append(alternatives);
    detail.replaceChildren(figure, facts);
    compare?.draw();
  }

  container.classList.add('mmlens');
  const timings = result.timings;
  const footer = el('footer', 'timings', `Timings: vision ${format('.0f')(timings.visionMs)} ms, prefill ${format('.0f')(timings.prefillMs)} ms, ${timings.decodeMs.length} decoding steps`);
  container.replaceChildren(header(result), el('h2', undefined, 'Answer'), answer, controls, detail, ...(compare ? [compare.element] : []), footer);
  if (buttons.length > 0) draw();
  else detail.append(el('p', 'note', 'The model generated no tokens.'));
}
