/**
 * What the explorer and the image editor take from an analysis: the score matrix, one pair's maps as typed
 * arrays, and the model facts; plus the explorer's texts (each label through the template, `{label}` replaced
 * as the zero-shot templates do) and the pairs the fusion probes use when the set did not come from a manifest.
 */
import { gridWindow, type AnalysisResult } from './analysisResult';
import type { ModelInfo, PairMaps, ScoreMatrix } from './protocol';

/** The images x texts scores of `result`, row-major in a Float32Array. */
export function scoreMatrix(result: AnalysisResult): ScoreMatrix {
  return {
    rows: result.images.length,
    cols: result.texts.length,
    values: Float32Array.from(result.similarity.flat()),
    kind: result.itm ? 'itmLogOdds' : 'cosine',
  };
}

/** The rollout of image `image` and its alignment with text `text`; null when the pair is not in `result`. */
export function pairMaps(result: AnalysisResult, image: number, text: number): PairMaps | null {
  if (!(image < result.images.length && text < result.texts.length)) return null;
  const rollout = result.maps.rollout[image];
  const alignment = result.maps.alignment[image]?.[text];
  return { image, text, grid: result.grid, rollout: rollout ? Float32Array.from(rollout.flat()) : null, alignment: alignment ? Float32Array.from(alignment.flat()) : null, window: gridWindow(result.images[image]) };
}

/** The model facts of a result: an analysis or a generation. */
export function modelInfo(result: { model: ModelInfo }): ModelInfo {
  const { name, architecture, executionProvider, notices } = result.model;
  return { name, architecture, executionProvider, notices };
}

/** The text for `label`: the template with every `{label}` replaced, or the label itself when the template has none. */
export function applyTemplate(label: string, template: string): string {
  // A function replacement: a label holding `$&` or `$'` is inserted as written, not as a pattern.
  return template.includes('{label}') ? template.replaceAll('{label}', () => label) : label;
}

/** A JSON Lines manifest pairing image i with text i, for i below the smaller count. */
export function pairsManifest(images: readonly string[], texts: readonly string[]): string {
  const count = Math.min(images.length, texts.length);
  return Array.from({ length: count }, (_, i) => `${JSON.stringify({ image: images[i], caption: texts[i] })}\n`).join('');
}
