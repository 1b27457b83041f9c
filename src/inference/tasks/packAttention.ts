/**
 * Packs the attention a report or a panel draws (the head grid's tower) into the compact form of
 * src/shared/packedAttention.ts: 8 bits per value in two ranged segments per row, zlib-compressed per layer.
 * It reads the tapped tensors themselves, so a page's analysis never builds the nested JSON arrays (at ViT-L/14
 * size over a gigabyte of numbers).
 */
import { deflateSync } from 'node:zlib';
import type { AnalysisResult } from '../../shared/analysisResult';
import type { DetailedAnalysisResult } from '../../shared/attentionDetails';
import { RANGES_PER_ROW, type PackedAttention, type PackedTowerAttention, type ReportAttentionLevel } from '../../shared/packedAttention';
import type { LayerAttention } from '../runtime/tappedGraph';

/**
 * Without an explicit level, every query's row is kept while the rows take at most this many bytes before
 * compression; above it only the first token's rows are (a ViT-B/16 image is 6 MB of rows, a ViT-L/14@336 one 130 MB).
 */
export const FULL_ATTENTION_BUDGET = 20 * 1024 * 1024;

/** What a request for a page asks of its attention: a level, or by size when absent. */
export interface PageAttentionRequest {
  level?: ReportAttentionLevel;
  /** Given the tower's layers when the page gets the first token's rows only, to serve other rows later (a panel). */
  keep?: (layers: LayerAttention[], items: number) => void;
}

/**
 * `layers` (one tower, each [items, heads, queries, keys]) packed at `request.level`, or at `full` when it fits
 * FULL_ATTENTION_BUDGET and `thumbnails` otherwise; undefined for `none` or no layers. The keys from
 * `patchStart` on are the patch grid.
 */
export function packAttention(tower: PackedAttention['tower'], layers: LayerAttention[], items: number, patchStart: number, request: PageAttentionRequest): PackedAttention | undefined {
  if (request.level === 'none' || layers.length === 0 || items === 0) return undefined;
  const { heads, queries: tokens } = layers[0];
  const level = request.level ?? (layers.length * items * heads * tokens * (tokens + RANGES_PER_ROW * 4) <= FULL_ATTENTION_BUDGET ? 'full' : 'thumbnails');
  const queries = level === 'full' ? Array.from({ length: tokens }, (_, q) => q) : [0];
  return { level, tower, attention: packTower(layers, items, queries, patchStart) };
}

/**
 * A text tower's `layers` (each [items, heads, slots, slots]) packed with every query's row, cut to the first
 * `tokens` slots: the longest text's real tokens, after which every slot is padding. Undefined without layers.
 */
export function packTextTower(layers: LayerAttention[], items: number, tokens: number): PackedTowerAttention | undefined {
  if (layers.length === 0 || items === 0 || tokens <= 0) return undefined;
  const cut = layers.map(({ heads, queries, keys, data }) => {
    const n = Math.min(tokens, queries, keys);
    const out = new Float32Array(items * heads * n * n);
    for (let r = 0; r < items * heads; r++) {
      for (let q = 0; q < n; q++) out.set(data.subarray((r * queries + q) * keys, (r * queries + q) * keys + n), (r * n + q) * n);
    }
    return { heads, queries: n, keys: n, data: out };
  });
  const n = cut[0].queries;
  return packTower(cut, items, Array.from({ length: n }, (_, q) => q), n);
}

/**
 * A matcher's cross-attention `layers` (each [items, heads, text slots, image keys]) packed with the rows of the
 * first `tokens` text queries (the longest text's real tokens) over every image key; the patch keys are the last
 * `patches`. Undefined without layers.
 */
export function packCrossAttention(layers: LayerAttention[], items: number, tokens: number, patches: number): PackedTowerAttention | undefined {
  if (layers.length === 0 || items === 0 || tokens <= 0) return undefined;
  const { queries, keys } = layers[0];
  return packTower(layers, items, Array.from({ length: Math.min(tokens, queries) }, (_, q) => q), Math.max(0, keys - patches));
}

/** An analysis as a page gets it: the result without attention tensors, and the head grid's attention packed. */
export interface PageAnalysis {
  result: AnalysisResult;
  attention?: PackedAttention;
  /** A panel's analysis packed as thumbnails: the id the inference process keeps the other rows under (remote/heldAttention.ts). */
  heldAttention?: string;
}

/** Splits a result analysed for a page (`pageAttention` asked) into what the page gets. */
export function pageAnalysis(result: DetailedAnalysisResult): PageAnalysis {
  const rest = { ...result };
  delete rest.attention;
  delete rest.pageAttention;
  return { result: rest, ...(result.pageAttention ? { attention: result.pageAttention } : {}) };
}

function packTower(layers: LayerAttention[], items: number, queries: number[], patchStart: number): PackedTowerAttention {
  const { heads, queries: tokens, keys } = layers[0];
  const layerData = layers.map((layer) => {
    const rows = items * heads * queries.length;
    const bytes = new Uint8Array(rows * (RANGES_PER_ROW * 4 + keys));
    const ranges = new Float32Array(bytes.buffer, 0, rows * RANGES_PER_ROW);
    const values = new Uint8ClampedArray(bytes.buffer, rows * RANGES_PER_ROW * 4);
    let r = 0;
    for (let item = 0; item < items; item++) {
      for (let head = 0; head < heads; head++) {
        for (const query of queries) {
          const start = ((item * heads + head) * tokens + query) * keys;
          const row = layer.data.subarray(start, start + keys);
          quantise(row, 0, patchStart, values, r * keys, ranges, r * RANGES_PER_ROW);
          quantise(row, patchStart, keys, values, r * keys, ranges, r * RANGES_PER_ROW + 2);
          r++;
        }
      }
    }
    return deflateSync(bytes).toString('base64');
  });
  return { layers: layers.length, items, heads, tokens: keys, patchStart, queries, layerData };
}

/** Writes row[from..to) as bytes over their own range into values[at + from..], the range at ranges[slot], [slot + 1]. */
function quantise(row: Float32Array, from: number, to: number, values: Uint8ClampedArray, at: number, ranges: Float32Array, slot: number): void {
  let [min, max] = to > from ? [Infinity, -Infinity] : [0, 0];
  for (let k = from; k < to; k++) {
    if (row[k] < min) min = row[k];
    if (row[k] > max) max = row[k];
  }
  [ranges[slot], ranges[slot + 1]] = [min, max];
  // The range as stored (float32), so decoding with it lands on the nearest level; the clamped array rounds and
  // keeps a value a float32 rounding below the stored min at 0.
  const [low, span] = [ranges[slot], ranges[slot + 1] - ranges[slot]];
  for (let k = from; k < to; k++) values[at + k] = span > 0 ? ((row[k] - low) / span) * 255 : 0;
}
