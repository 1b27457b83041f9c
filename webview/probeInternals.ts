/**
 * The probe report's sections on model internals: the geometry of a two-tower model's joint space (with the
 * PCA scatter) and a single-stream model's cross-modal attention per layer and head.
 */
import { format } from 'd3';
import type { ProbeResult, ShareValues, VlInterpretMeasure, VlInterpretStats } from '../src/shared/probeResult';
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

/** VL-InterpreT's measures the section shows, by their names, with the direction said our way. */
const VL_INTERPRET_TABLES: { key: VlInterpretMeasure; label: string }[] = [
  { key: 'crossmodal', label: 'crossmodal' },
  { key: 'img2txt', label: 'img2txt (text queries on image keys)' },
  { key: 'txt2img', label: 'txt2img (image queries on text keys)' },
  { key: 'intramodal', label: 'intramodal' },
];

/**
 * Three layer x head tables (text to image, image to text, within), as shares or as z-scores, averaged over `pairs`;
 * with `vlInterpret`, a third choice shows the same attention as VL-InterpreT computes it.
 */
export function crossModalSection(cells: NonNullable<ProbeResult['crossModalAttention']>, pairs = 'the matching pairs', vlInterpret?: VlInterpretStats): HTMLElement {
  const element = section('Cross-modal attention', 'cross-modal');
  element.append(el('p', 'note', `Mean attention mass, over ${pairs}, that each head sends from text queries to image keys, from image queries to text keys, and within each modality. Z-scores across all heads make unusual heads stand out.`));
  const tables = el('div', 'share-tables');
  const layerHead = { corner: 'Layer \\ head', rowLabels: cells.map((_, l) => `Layer ${l}`), colLabels: cells[0].map((_, h) => `H${h}`) };
  const draw = (mode: string) => {
    tables.replaceChildren();
    if (mode === 'vl-interpret' && vlInterpret) {
      tables.append(el('p', 'note', 'As VL-InterpreT computes it: the mean over each block\'s cells, without the text\'s start and end tokens, z-scored over the layers for each head; its names say where information goes.'));
      for (const { key, label } of VL_INTERPRET_TABLES) {
        const values = vlInterpret[key].z;
        drawScoreTable(tables, { ...layerHead, caption: `${label} (z over layers)`, values, format: format('+.1f'), scale: extentScale(values.flat()) });
      }
      return;
    }
    const z = mode === 'z';
    for (const { key, label } of MEASURES) {
      const values = cells.map((layer) => layer.map((cell) => (z ? cell.z[key] : cell[key])));
      drawScoreTable(tables, {
        ...layerHead,
        caption: `${label}${z ? ' (z-score)' : ''}`,
        values,
        format: z ? format('+.1f') : format('.2f'),
        scale: z ? extentScale(values.flat()) : viridisScale(0, 1),
      });
    }
  };
  const controls = el('div', 'controls');
  const choices = [{ value: 'share', label: 'Attention share' }, { value: 'z', label: 'Z-scores' }];
  if (vlInterpret) choices.push({ value: 'vl-interpret', label: 'As VL-InterpreT' });
  controls.append(labelledSelect('Show', choices, 'share', draw).element);
  element.append(controls, tables);
  draw('share');
  return element;
}
