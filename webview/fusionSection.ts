/**
 * The analysis panel's fusion section for single-stream models: from the joint attention of the analysed
 * pairs, how much each head sends from text to image, from image to text and within each modality (the probe's
 * cross-modal attention, here over the pairs of one analysis rather than a dataset).
 */
import { crossModalCells } from '../src/analysis/attention/crossModalCells';
import { crossModalShare } from '../src/analysis/attention/crossModalShare';
import type { AnalysisResult } from '../src/shared/analysisResult';
import type { PackedAttention } from '../src/shared/packedAttention';
import { AttentionRows } from './attentionRows';
import { crossModalSection } from './probeInternals';

/**
 * The section, or undefined for a two-tower model or a page without every query's row of the joint attention.
 * The shares come from the page's 8-bit attention (src/shared/packedAttention.ts), off by at most 1/510 of a
 * row's range per value.
 */
export function fusionSection(result: AnalysisResult, packed: PackedAttention): HTMLElement | undefined {
  const layout = result.model.tokenLayout;
  const joint = new AttentionRows(packed.attention);
  if (!layout || packed.tower !== 'joint' || !joint.allQueries || packed.attention.layers === 0) return undefined;
  const { heads, items, layers } = packed.attention;
  const slots = layout.textEnd - layout.textStart;
  const shares = Array.from({ length: items }, (_, item) => {
    // Item i x texts + j pairs image i with text j; the text's real tokens fill the start of its slots.
    const real = result.texts[item % result.texts.length].tokens.length;
    const mask = Array.from({ length: slots }, (_, k) => (k < real ? 1 : 0));
    const matrices = Array.from({ length: layers }, (_, l) => joint.matrix(l, item) as Float32Array);
    return crossModalShare(matrices, heads, layout.tokens, layout, mask);
  });
  return crossModalSection(crossModalCells(shares), 'the analysed image-text pairs');
}
