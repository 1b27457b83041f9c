/**
 * The layer lens (`result.lens`, `mmlens analyze --lens`): every vision layer's CLS token through the model's own
 * final norm and projection, scored against the texts as the model scores its last layer. One table per image,
 * a row per layer, so the depth at which the right text starts to lead reads straight down a column; each
 * layer's alignment maps are overlay choices of the image cards (`lensMapChoices`).
 */
import { format } from 'd3';
import type { AnalysisResult } from '../src/shared/analysisResult';
import { viridisScale } from './draw/colorScale';
import { baseName, el } from './draw/dom';
import { gridFromMatrix, type GridValues } from './draw/heatmapCanvas';
import { drawScoreTable } from './draw/similarityTable';

/** The section, or undefined when the result has no lens. */
export function layerLensSection(result: AnalysisResult): HTMLElement | undefined {
  const lens = result.lens;
  if (!lens || lens.layers.length === 0) return undefined;
  const element = el('section', 'layer-lens');
  element.append(el('h2', undefined, 'Layer lens'));
  element.append(el('p', 'lens-note', 'Each row is one layer\'s output read through the model\'s own final norm and projection (the logit lens); '
    + 'the last row is the model\'s own result. Early layers are read through a head trained on the last layer only, so their scores are small and their probabilities near uniform. '
    + 'Each layer\'s alignment maps are overlay choices of the image.'));
  const rowLabels = lens.layers.map((_, l) => `layer ${l}`);
  const colLabels = result.texts.map((text) => text.text);
  // A softmax over one text is 100% at every layer: the cosines say more then.
  const lone = result.texts.length === 1 && result.logitBias === undefined;
  result.images.forEach((image, i) => {
    const values = lens.layers.map((layer) => (lone ? layer.similarity[i] : layer.probabilities[i]));
    const what = lone ? 'cosine similarities' : `probabilities (${result.logitBias !== undefined ? 'a sigmoid per pair' : 'softmax over the texts'})`;
    drawScoreTable(element, {
      caption: `${baseName(image.path)}: each layer's ${what}`,
      corner: 'Layer \\ text',
      rowLabels,
      colLabels,
      values,
      format: lone ? format('.3f') : format('.1%'),
      scale: lone ? viridisScale(-1, 1) : viridisScale(0, 1),
    });
  });
  return element;
}

/** Image `image`'s lens maps by overlay value (`lens-L-T`: layer L, text T), each with its label. */
export function lensMapChoices(result: AnalysisResult, image: number): [string, { grid: GridValues; label: string }][] {
  return (result.lens?.layers ?? []).flatMap((layer, l) => (layer.alignment[image] ?? []).map((map, t) => (
    [`lens-${l}-${t}`, { grid: gridFromMatrix(map), label: `Layer ${l} lens: alignment with "${result.texts[t]?.text ?? t}"` }] as [string, { grid: GridValues; label: string }]
  )));
}
