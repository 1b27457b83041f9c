/**
 * The probe report's sections on model internals: the geometry of a two-tower model's joint space (with the
 * PCA scatter) and a single-stream model's cross-modal attention per layer and head.
 */
import { format } from 'd3';
import type { ProbeResult, ShareValues } from '../src/shared/probeResult';
import { extentScale, viridisScale } from './draw/colorScale';
import { baseName, el, labelledSelect } from './draw/dom';
import { drawPcaScatter } from './draw/pcaScatter';
import { drawScoreTable } from './draw/similarityTable';
import { section } from './probeSections';

const three = format('.3f');

/** Modality gap, alignment, uniformity and the PCA of both clouds. */
export function geometrySection(result: ProbeResult, geometry: NonNullable<ProbeResult['geometry']>): HTMLElement {
  const element = section('Joint embedding space', 'geometry');
  const facts = el('dl', 'facts');
  const optional = (v: number | null) => (v === null ? 'n/a' : three(v));
  for (const [term, value] of [
    ['Modality gap (centroid distance)', three(geometry.modalityGap)],
    ['Alignment (mean squared pair distance)', three(geometry.alignment)],
    ['Uniformity of images', optional(geometry.uniformity.image)],
    ['Uniformity of texts', optional(geometry.uniformity.text)],
  ]) facts.append(el('dt', undefined, term), el('dd', undefined, value));
  element.append(facts);
  drawPcaScatter(element, {
    ...geometry.pca,
    linked: result.pairs.map((p) => p.label !== 0),
    imageLabels: result.pairs.map((p) => baseName(p.image)),
    textLabels: result.pairs.map((p) => p.caption),
  });
  return element;
}

const MEASURES: { key: keyof ShareValues; label: string }[] = [
  { key: 'textToImage', label: 'Text → image' },
  { key: 'imageToText', label: 'Image → text' },
  { key: 'within', label: 'Within modality' },
];

/** Three layer x head tables (text to image, image to text, within), as shares or as z-scores, averaged over `pairs`. */
export function crossModalSection(cells: NonNullable<ProbeResult['crossModalAttention']>, pairs = 'the matching pairs'): HTMLElement {
  const element = section('Cross-modal attention', 'cross-modal');
  element.append(el('p', 'note', `Mean attention mass, over ${pairs}, that each head sends from text queries to image keys, from image queries to text keys, and within each modality. Z-scores across all heads make unusual heads stand out.`));
  const tables = el('div', 'share-tables');
  const draw = (mode: string) => {
    tables.replaceChildren();
    const z = mode === 'z';
    for (const { key, label } of MEASURES) {
      const values = cells.map((layer) => layer.map((cell) => (z ? cell.z[key] : cell[key])));
      drawScoreTable(tables, {
        caption: `${label}${z ? ' (z-score)' : ''}`,
        corner: 'Layer \\ head',
        rowLabels: cells.map((_, l) => `Layer ${l}`),
        colLabels: cells[0].map((_, h) => `H${h}`),
        values,
        format: z ? format('+.1f') : format('.2f'),
        scale: z ? extentScale(values.flat()) : viridisScale(0, 1),
      });
    }
  };
  const controls = el('div', 'controls');
  controls.append(labelledSelect('Show', [{ value: 'share', label: 'Attention share' }, { value: 'z', label: 'Z-scores' }], 'share', draw).element);
  element.append(controls, tables);
  draw('share');
  return element;
}
