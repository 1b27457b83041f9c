/**
 * The optional attention details of an analysis (src/shared/attentionDetails.ts): head statistics per item,
 * text attention per text, and the rollout settings both adapters pass to src/analysis/rollout. Head
 * statistics and text maps read only real tokens: padded text slots are cut out first, so neither a padded
 * query row nor the zero mass on masked padding keys enters an average.
 */
import { headStatistics, type HeadStatistics, type PatchGeometry } from '../../analysis/attention/headStats';
import type { RolloutOptions } from '../../analysis/attention/rollout';
import type { ProgressCallback } from '../../core/progress';
import { textTokenAttention, textToImageAttention } from '../../analysis/attention/textAttention';
import { toNested } from '../../analysis/grid';
import type { AttentionDetails, HeadStat, RolloutSettings, TextAttention } from '../../shared/attentionDetails';
import type { TokenLayoutInfo } from '../../shared/analysisResult';
import { itemAttention } from './analysisParts';
import type { PatchGrid } from '../images/patchGrid';
import type { LayerAttention } from '../runtime/tappedGraph';
import type { EncodedText } from '../model/tokenize';

/** What an analysis request may ask for beyond the scores and maps. */
export interface AttentionDetailOptions {
  /** Add `headStats`. */
  headStats?: boolean;
  /** Add `textAttention`. */
  textAttention?: boolean;
  /** Rollout variant; each field left out takes the default (mean, 0, true, 0). Attention flow uses the same graph. */
  rollout?: Partial<RolloutSettings>;
  /** Add `maps.flow`, the attention flow of each image (costly: attentionFlowMaps.ts). */
  flow?: boolean;
}

/** The rollout settings a request resolves to. */
export function rolloutSettings(options: AttentionDetailOptions): RolloutSettings {
  const r = options.rollout ?? {};
  return { fusion: r.fusion ?? 'mean', startLayer: r.startLayer ?? 0, residual: r.residual ?? true, discardRatio: r.discardRatio ?? 0 };
}

/** The settings as src/analysis/rollout (and attention flow, which reports progress) takes them. */
export function rolloutOptions(settings: RolloutSettings, signal?: AbortSignal, onProgress?: ProgressCallback): RolloutOptions {
  return { headFusion: settings.fusion, startLayer: settings.startLayer, residual: settings.residual, discardRatio: settings.discardRatio, signal, ...(onProgress && { onProgress }) };
}

/** A two-tower model's attention and the texts it encoded. */
export interface TwoTowerAttention {
  vision: LayerAttention[];
  text: LayerAttention[];
  texts: EncodedText[];
  images: number;
  grid: PatchGrid;
}

/** Head statistics and text attention of a two-tower analysis, as far as `options` asks and the graphs allow. */
export function twoTowerDetails(options: AttentionDetailOptions, a: TwoTowerAttention): AttentionDetails {
  const details: AttentionDetails = {};
  if (options.headStats) {
    details.headStats = {};
    if (a.vision.length > 0) details.headStats.vision = Array.from({ length: a.images }, (_, i) => statsOf(a.vision, i, allTokens(a.vision[0].keys), a.grid));
    if (a.text.length > 0) {
      details.headStats.text = a.texts.map((t, j) => {
        const n = t.ids.length;
        return statsOf(a.text, j, allTokens(n), { rows: 1, cols: n, firstPatch: 0, clsIndex: 0 });
      });
    }
  }
  if (options.textAttention && a.text.length > 0) {
    const last = a.text[a.text.length - 1];
    details.textAttention = a.texts.map((t, j) => {
      const map = textTokenAttention(itemAttention(last, j), last.heads, last.keys, t.ids.length, 'mean');
      const n = map.n;
      const self = {
        values: toNested(map.values, [n, n], 'text attention'),
        masked: Array.from({ length: n }, (_, q) => Array.from(map.masked.subarray(q * n, (q + 1) * n), (m) => m === 1)),
        causal: map.causal,
        paddingMass: Array.from(map.paddingMass),
      };
      return { layer: a.text.length - 1, tokens: n, self };
    });
  }
  return details;
}

/** A single-stream model's joint attention over image x text pairs. */
export interface SingleStreamAttention {
  joint: LayerAttention[];
  texts: EncodedText[];
  images: number;
  layout: TokenLayoutInfo;
  rows: number;
  cols: number;
}

/** Head statistics and text-to-image attention of a single-stream analysis. */
export function singleStreamDetails(options: AttentionDetailOptions, a: SingleStreamAttention): AttentionDetails {
  const details: AttentionDetails = {};
  if (a.joint.length === 0) return details;
  const { layout, rows, cols } = a;
  const pair = (i: number, j: number) => i * a.texts.length + j;
  if (options.headStats) {
    const stats: HeadStat[][][] = [];
    for (let i = 0; i < a.images; i++) {
      a.texts.forEach((t, j) => {
        // The real text tokens, then every image token: padded slots leave the sequence.
        const keep = [...t.ids.map((_, c) => layout.textStart + c), ...allTokens(layout.imageTokens).map((k) => layout.imageStart + k)];
        const itm = keep.indexOf(layout.itmToken);
        const geometry = { rows, cols, firstPatch: keep.indexOf(layout.firstPatch), ...(itm >= 0 && { clsIndex: itm }) };
        stats.push(statsOf(a.joint, pair(i, j), keep, geometry));
      });
    }
    details.headStats = { joint: stats };
  }
  if (options.textAttention) {
    const last = a.joint[a.joint.length - 1];
    const jointLayout = { textStart: layout.textStart, textEnd: layout.textEnd, imageStart: layout.imageStart, firstPatch: layout.firstPatch, rows, cols };
    details.textAttention = a.texts.map((t, j) => {
      const n = t.ids.length;
      const perImage = Array.from({ length: a.images }, (_, i) => textToImageAttention(itemAttention(last, pair(i, j)), last.heads, last.keys, jointLayout, n, 'mean'));
      return {
        layer: a.joint.length - 1,
        tokens: n,
        toImage: perImage.map((m) => Array.from({ length: n }, (_, k) => toNested(m.maps.subarray(k * rows * cols, (k + 1) * rows * cols), [rows, cols], 'text to image'))),
        imageMass: perImage.map((m) => Array.from(m.imageMass)),
      } satisfies TextAttention;
    });
  }
  return details;
}

function allTokens(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

/** Head statistics of one item over the tokens `keep` (in order), as [layer][head]. */
function statsOf(layers: LayerAttention[], item: number, keep: number[], geometry: PatchGeometry): HeadStat[][] {
  const { heads, keys } = layers[0];
  const slices = layers.map((layer) => restrict(itemAttention(layer, item), heads, keys, keep));
  return headStatsJson(headStatistics(slices, heads, keep.length, geometry));
}

/** The heads x n x n block of a heads x T x T layer over the tokens `keep`, for queries and keys alike. */
function restrict(layer: Float32Array, heads: number, tokens: number, keep: number[]): Float32Array {
  const n = keep.length;
  if (n === tokens && keep.every((k, i) => k === i)) return layer;
  const out = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < n; q++) {
      const from = h * tokens * tokens + keep[q] * tokens;
      for (let k = 0; k < n; k++) out[(h * n + q) * n + k] = layer[from + keep[k]];
    }
  }
  return out;
}

function headStatsJson(s: HeadStatistics): HeadStat[][] {
  return Array.from({ length: s.layers }, (_, l) => Array.from({ length: s.heads }, (_, h) => {
    const i = l * s.heads + h;
    return { entropy: s.entropy[i], normalizedEntropy: s.normalizedEntropy[i], meanDistance: s.meanDistance[i], clsShare: s.clsShare[i], diagonalShare: s.diagonalShare[i] };
  }));
}
