/**
 * The analysis panel's fusion section for single-stream models: from the joint attention of the analysed
 * pairs, how much each head sends from text to image, from image to text and within each modality (the probe's
 * cross-modal attention, here over the pairs of one analysis rather than a dataset).
 */
import { crossModalCells } from '../src/analysis/attention/crossModalCells';
import { crossModalShare } from '../src/analysis/attention/crossModalShare';
import type { AnalysisResult } from '../src/shared/analysisResult';
import { crossModalSection } from './probeInternals';

/** The section, or undefined for a two-tower model or a result without joint attention. */
export function fusionSection(result: AnalysisResult): HTMLElement | undefined {
  const layout = result.model.tokenLayout;
  const joint = result.attention?.joint;
  if (!layout || !joint || joint.length === 0) return undefined;
  const heads = joint[0][0].length;
  const slots = layout.textEnd - layout.textStart;
  const shares = joint[0].map((_, item) => {
    // Item i x texts + j pairs image i with text j; the text's real tokens fill the start of its slots.
    const real = result.texts[item % result.texts.length].tokens.length;
    const mask = Array.from({ length: slots }, (_, k) => (k < real ? 1 : 0));
    const layers = joint.map((layer) => Float32Array.from(layer[item].flat(2)));
    return crossModalShare(layers, heads, layout.tokens, layout, mask);
  });
  return crossModalSection(crossModalCells(shares), 'the analysed image-text pairs');
}
