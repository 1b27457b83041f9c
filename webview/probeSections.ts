/**
 * The sections of the probe report that show numbers: retrieval, the pair score matrix, EMAP, the perceptual
 * score, the modality ablation and MM-SHAP. Each returns its own <section>; probeView.ts puts them together.
 */
import { format } from 'd3';
import type { ProbeResult } from '../src/shared/probeResult';
import { drawBarChart } from './draw/barChart';
import { extentScale, legend, viridisScale } from './draw/colorScale';
import { appendNotices, baseName, el } from './draw/dom';
import { gridFromMatrix, heatmapCanvas } from './draw/heatmapCanvas';
import { drawScoreTable } from './draw/similarityTable';

const three = format('.3f');
const METRIC_NAMES: Record<ProbeResult['emap']['metric'], string> = { 'recall@1': 'recall@1 (image to text)', accuracy: 'accuracy', auc: 'ROC AUC' };

/** A section with its heading. */
export function section(title: string, className: string): HTMLElement {
  const element = el('section', className);
  element.append(el('h2', undefined, title));
  return element;
}

/** Recall@1/5/10 both ways, as a coloured table. */
export function retrievalSection(result: ProbeResult): HTMLElement {
  const element = section('Retrieval', 'retrieval');
  const { imageToText, textToImage, queries } = result.retrieval;
  drawScoreTable(element, {
    caption: `Recall@k over ${queries.imageToText} image and ${queries.textToImage} text queries (a hit: a right answer among the k best)`,
    corner: 'Direction',
    rowLabels: ['Image → text', 'Text → image'],
    colLabels: ['R@1', 'R@5', 'R@10'],
    values: [imageToText, textToImage].map((r) => [r.r1, r.r5, r.r10]),
    format: format('.1%'),
    scale: viridisScale(0, 1),
  });
  return element;
}

/** The N x N score matrix as one canvas; pointing at a cell names its pair. */
export function scoresSection(result: ProbeResult): HTMLElement {
  const element = section('Pair scores', 'pair-scores');
  const kind = result.scoreKind === 'cosine' ? 'Cosine similarity' : 'ITM match log-odds';
  if (!result.scores) {
    element.append(el('p', 'note', `The ${result.manifest.pairs} x ${result.manifest.pairs} score matrix is too large for the report (at most 500 pairs).`));
    return element;
  }
  const scores = result.scores;
  const scale = extentScale(scores.flat());
  const canvas = heatmapCanvas(gridFromMatrix(scores), scale, `${kind} of every image (rows) with every caption (columns); the diagonal holds the pairs`);
  canvas.classList.add('score-matrix');
  const readout = el('p', 'note readout', 'Point at a cell to see its pair.');
  readout.setAttribute('aria-live', 'polite');
  canvas.addEventListener('mousemove', (event) => {
    const box = canvas.getBoundingClientRect();
    const i = Math.min(scores.length - 1, Math.floor(((event.clientY - box.top) / box.height) * scores.length));
    const j = Math.min(scores.length - 1, Math.floor(((event.clientX - box.left) / box.width) * scores.length));
    if (i < 0 || j < 0) return;
    readout.textContent = `image ${i} (${baseName(result.pairs[i].image)}) × caption ${j} ("${result.pairs[j].caption}"): ${three(scores[i][j])}`;
  });
  element.append(el('p', 'note', `${kind}: image of pair i (row) with caption of pair j (column).`), canvas, legend(scale, kind), readout);
  return element;
}

/** EMAP: the metric of the full model and of its additive projection. */
export function emapSection(result: ProbeResult): HTMLElement {
  const element = section('EMAP: does the model use cross-modal interactions?', 'emap');
  const { emap } = result;
  element.append(el('p', 'note', 'The scores of every image with every caption, projected onto their best additive fit f(image) + g(text) (Hessel & Lee 2020). If the additive projection does as well as the full model, the model does not use interactions between the modalities on this set.'));
  drawBarChart(element, { caption: METRIC_NAMES[emap.metric], bars: [{ label: 'Full model', value: emap.full }, { label: 'Additive projection', value: emap.additive }], format: three, domain: [0, 1] });
  if (emap.notice) appendNotices(element, [emap.notice]);
  if (emap.auc) drawBarChart(element, { caption: 'ROC AUC', bars: [{ label: 'Full model', value: emap.auc.full }, { label: 'Additive projection', value: emap.auc.additive }], format: three, domain: [0, 1] });
  return element;
}

/** The perceptual score: the metric with each modality permuted across the set. */
export function perceptualSection(result: ProbeResult): HTMLElement {
  const element = section('Perceptual score', 'perceptual');
  const p = result.perceptualScore;
  const mean = (runs: number[]) => runs.reduce((s, v) => s + v, 0) / runs.length;
  element.append(el('p', 'note', `How much the ${METRIC_NAMES[p.metric]} falls when one modality is shuffled across the set (Gat et al. 2021), over ${p.permuted.image.length} random permutations (seed ${p.seed}). Image: ${three(p.image)}; text: ${three(p.text)}.`));
  drawBarChart(element, {
    caption: METRIC_NAMES[p.metric],
    bars: [{ label: 'As given', value: p.full }, { label: 'Images permuted', value: mean(p.permuted.image) }, { label: 'Captions permuted', value: mean(p.permuted.text) }],
    format: three,
    domain: [0, 1],
  });
  return element;
}

/** The modality ablation: the mean fall of the pairs' scores with the caption or the image replaced. */
export function ablationSection(result: ProbeResult): HTMLElement {
  const element = section('Modality ablation', 'ablation');
  const { emptyText, meanImage } = result.ablation;
  element.append(el('p', 'note', 'Each pair scored with its caption replaced by the empty text, and with its image replaced by the mean image of the set; the bars show the mean drop of the matching pairs\' scores.'));
  drawBarChart(element, { caption: `Mean drop of the ${result.scoreKind === 'cosine' ? 'cosine similarity' : 'ITM log-odds'}`, bars: [{ label: 'Caption → empty text', value: emptyText.meanDrop }, { label: 'Image → mean image', value: meanImage.meanDrop }], format: three });
  return element;
}

/** MM-SHAP: the textual and visual shares of the pairs' Shapley values, mean +/- spread, by label when labelled. */
export function mmShapSection(result: ProbeResult): HTMLElement | undefined {
  const shap = result.mmShap;
  if (!shap) return undefined;
  const element = section('MM-SHAP: how much of each prediction comes from each modality', 'mm-shap');
  element.append(el('p', 'note', `Sampled Shapley values of the text tokens and image patches of each of the first ${shap.pairs} pairs, explaining the ${shap.score} (Parcalabescu & Frank 2023). T-SHAP is the text's share of the absolute values, V-SHAP = 1 - T-SHAP; it needs no labels and does not depend on whether the model is right. T-SHAP ${three(shap.mean)} ± ${three(shap.std)} (population std over the pairs).`));
  const bars = [{ label: 'T-SHAP (text)', value: shap.mean }, { label: 'V-SHAP (image)', value: 1 - shap.mean }];
  if (shap.byLabel) {
    const { matching, nonMatching } = shap.byLabel;
    if (matching.mean !== null) bars.push({ label: 'T-SHAP, matching pairs', value: matching.mean });
    if (nonMatching.mean !== null) bars.push({ label: 'T-SHAP, non-matching pairs', value: nonMatching.mean });
  }
  drawBarChart(element, { caption: 'Mean share over the pairs', bars, format: three, domain: [0, 1] });
  appendNotices(element, shap.departures.map((d) => `Departs from the authors: ${d}`));
  return element;
}
