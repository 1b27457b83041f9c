/**
 * Cross- and intra-modal attention of a single-stream model as VL-InterpreT computes it (Aflalo et al. 2022;
 * IntelLabs/VL-InterpreT, app/database/db_analyzer.py, `get_all_attn_stats`), beside the product's own share
 * (crossModalShare.ts), so figures can be set beside theirs. Per layer and head, the mean over the cells of each
 * query x key block of the attention (not a query's summed mass), with the text's start and end tokens (their
 * [CLS] and [SEP]) and padding left out; each block's means z-scored over the layers for each head (scipy's
 * zscore, axis 0), and each layer's mean z over its heads.
 *
 * Their names follow where the information goes: `img2txt` is text queries on image keys (image to text),
 * `txt2img` image queries on text keys. `img2imgWithoutSelf` zeroes each image query's cells on itself and its two
 * neighbours (still counted in the mean); `crossmodal` is the z-score of the mean of the img2txt and txt2img z's,
 * and `intramodal`, as their code has it, of img2img's and img2imgWithoutSelf's (txt2txt is not part of it).
 * Departure: their figures are per example; here the block means are averaged over the pairs first.
 */
import { LensError } from '../../core/errors';
import type { VlInterpretMeasure, VlInterpretStats } from '../../shared/probeResult';
import { requireLength, requirePositiveInt } from '../shape';
import { zScores, type ShareLayout } from './crossModalShare';

/** The blocks VL-InterpreT measures, by its names. */
export const VL_INTERPRET_BLOCKS = ['img2txt', 'txt2img', 'img2img', 'img2imgWithoutSelf', 'txt2txt'] as const;
/** One block. */
export type VlInterpretBlock = (typeof VL_INTERPRET_BLOCKS)[number];

/** One item's per-cell block means, layers x heads row-major. */
export interface VlInterpretMeans {
  layers: number;
  heads: number;
  means: Record<VlInterpretBlock, Float64Array>;
}

/**
 * The block means of one item: `attention[l]` is layer l's joint attention, heads x T x T row-major (rows are
 * queries); `textMask` marks the real tokens of [textStart, textEnd); `excluded(position)` says which text
 * positions are the start and end tokens. Undefined for a text with no other token (an empty caption): it has no
 * text block.
 */
export function vlInterpretMeans(attention: Float32Array[], heads: number, tokens: number, layout: ShareLayout, textMask: ArrayLike<number>, excluded: (position: number) => boolean): VlInterpretMeans | undefined {
  requirePositiveInt(heads, 'vlInterpretMeans: heads');
  const { textStart, textEnd, imageStart, imageTokens } = layout;
  requireLength(textMask, textEnd - textStart, 'vlInterpretMeans: textMask');
  const text: number[] = [];
  for (let t = textStart; t < textEnd; t++) if (textMask[t - textStart] !== 0 && !excluded(t)) text.push(t);
  const image = Array.from({ length: imageTokens }, (_, i) => imageStart + i);
  if (text.length === 0) return undefined;
  if (imageStart + imageTokens > tokens) throw new LensError('internal', `vlInterpretMeans: image ${imageStart}..${imageStart + imageTokens} does not fit in ${tokens} tokens.`);
  const size = attention.length * heads;
  const means = Object.fromEntries(VL_INTERPRET_BLOCKS.map((b) => [b, new Float64Array(size)])) as Record<VlInterpretBlock, Float64Array>;
  attention.forEach((layer, l) => {
    requireLength(layer, heads * tokens * tokens, `vlInterpretMeans: layer ${l}`);
    for (let h = 0; h < heads; h++) {
      const cell = (q: number, k: number) => layer[(h * tokens + q) * tokens + k];
      const block = (queries: number[], keys: number[], skip = (_i: number, _j: number) => false) => {
        let sum = 0;
        queries.forEach((q, i) => keys.forEach((k, j) => (sum += skip(i, j) ? 0 : cell(q, k))));
        return sum / (queries.length * keys.length);
      };
      const at = l * heads + h;
      means.img2txt[at] = block(text, image);
      means.txt2img[at] = block(image, text);
      means.img2img[at] = block(image, image);
      means.img2imgWithoutSelf[at] = block(image, image, (i, j) => Math.abs(i - j) <= 1);
      means.txt2txt[at] = block(text, text);
    }
  });
  return { layers: attention.length, heads, means };
}

/** The statistics of the items' block means averaged over the items (same layers and heads). */
export function vlInterpretStats(items: VlInterpretMeans[]): VlInterpretStats {
  if (items.length === 0) throw new LensError('internal', 'vlInterpretStats: no items.');
  const { layers, heads } = items[0];
  const z: Partial<Record<VlInterpretMeasure, Float64Array>> = {};
  for (const block of VL_INTERPRET_BLOCKS) {
    const mean = new Float64Array(layers * heads);
    items.forEach((item, i) => {
      if (item.layers !== layers || item.heads !== heads) throw new LensError('internal', `vlInterpretStats: item ${i} has ${item.layers}x${item.heads} layers x heads, item 0 ${layers}x${heads}.`);
      item.means[block].forEach((v, k) => (mean[k] += v / items.length));
    });
    z[block] = zOverLayers(mean, layers, heads);
  }
  const average = (a: Float64Array, b: Float64Array) => Float64Array.from(a, (v, k) => (v + b[k]) / 2);
  z.crossmodal = zOverLayers(average(z.img2txt!, z.txt2img!), layers, heads);
  z.intramodal = zOverLayers(average(z.img2img!, z.img2imgWithoutSelf!), layers, heads);
  return Object.fromEntries(Object.entries(z).map(([name, values]) => {
    const rows = Array.from({ length: layers }, (_, l) => Array.from(values.subarray(l * heads, (l + 1) * heads)));
    return [name, { z: rows, layerMean: rows.map((row) => row.reduce((a, v) => a + v, 0) / heads) }];
  })) as VlInterpretStats;
}

/**
 * Each head's values (a layers x heads row-major matrix's column) z-scored over the layers (zScores: population std;
 * a head whose values are all equal, one layer or a constant, gets 0 where scipy gives NaN).
 */
function zOverLayers(values: Float64Array, layers: number, heads: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let h = 0; h < heads; h++) {
    zScores(Array.from({ length: layers }, (_, l) => values[l * heads + h])).forEach((z, l) => (out[l * heads + h] = z));
  }
  return out;
}
