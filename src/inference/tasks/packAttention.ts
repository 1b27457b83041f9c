/**
 * Packs the attention a report or a panel draws (the head grid's tower) into the compact form of
 * src/shared/packedAttention.ts: 8 bits per value in two ranged segments per row, zlib-compressed per layer.
 */
import { deflateSync } from 'node:zlib';
import type { AnalysisResult } from '../../shared/analysisResult';
import { RANGES_PER_ROW, type PackedAttention, type PackedTowerAttention, type ReportAttentionLevel } from '../../shared/packedAttention';

/**
 * Without an explicit level, every query's row is kept while the rows take at most this many bytes before
 * compression; above it only the first token's rows are (a ViT-B/16 image is 6 MB of rows, a ViT-L/14@336 one 130 MB).
 */
export const FULL_ATTENTION_BUDGET = 20 * 1024 * 1024;

/** Attention of one tower: [layer][item][head][query][key]. */
type TowerAttention = number[][][][][];

/**
 * The attention of `result` that the analysis view draws, packed at `level`; undefined when the result has none
 * or `level` is none. Without a level, `full` when it fits FULL_ATTENTION_BUDGET, else `thumbnails`.
 */
export function packAttention(result: AnalysisResult, level?: ReportAttentionLevel): PackedAttention | undefined {
  const tower = result.attention?.vision ? 'vision' : 'joint';
  const attention = result.attention?.[tower];
  if (level === 'none' || !attention || attention.length === 0) return undefined;
  const [items, heads, tokens] = [attention[0].length, attention[0][0]?.length ?? 0, attention[0][0]?.[0]?.length ?? 0];
  const chosen = level ?? (attention.length * items * heads * tokens * (tokens + RANGES_PER_ROW * 4) <= FULL_ATTENTION_BUDGET ? 'full' : 'thumbnails');
  const queries = chosen === 'full' ? Array.from({ length: tokens }, (_, q) => q) : [0];
  const patchStart = Math.max(0, tokens - result.grid.rows * result.grid.cols);
  return { level: chosen, tower, attention: packTower(attention, queries, patchStart) };
}

/** An analysis as a page gets it: the result without its nested attention, and the head grid's attention packed. */
export interface PageAnalysis {
  result: AnalysisResult;
  attention?: PackedAttention;
}

/**
 * What a report page or a panel gets of `result`: the result without its nested attention, and the head grid's
 * attention packed at `level` (chosen by size when absent). The inference process sends a panel this, not the
 * nested attention, which at ViT-L/14 size is over a gigabyte to copy between processes.
 */
export function pageAnalysis(result: AnalysisResult, level?: ReportAttentionLevel): PageAnalysis {
  const attention = packAttention(result, level);
  return { result: { ...result, attention: undefined }, ...(attention ? { attention } : {}) };
}

function packTower(attention: TowerAttention, queries: number[], patchStart: number): PackedTowerAttention {
  const [items, heads, tokens] = [attention[0].length, attention[0][0].length, attention[0][0][0].length];
  const layerData = attention.map((layer) => {
    const rows = items * heads * queries.length;
    const bytes = new Uint8Array(rows * (RANGES_PER_ROW * 4 + tokens));
    const ranges = new Float32Array(bytes.buffer, 0, rows * RANGES_PER_ROW);
    const values = new Uint8ClampedArray(bytes.buffer, rows * RANGES_PER_ROW * 4);
    let r = 0;
    for (const item of layer) {
      for (const head of item) {
        for (const query of queries) {
          const row = head[query];
          const at = r * tokens;
          quantise(row, 0, patchStart, values, at, ranges, r * RANGES_PER_ROW);
          quantise(row, patchStart, tokens, values, at, ranges, r * RANGES_PER_ROW + 2);
          r++;
        }
      }
    }
    return deflateSync(bytes).toString('base64');
  });
  return { layers: attention.length, items, heads, tokens, patchStart, queries, layerData };
}

/** Writes row[from..to) as bytes over their own range into values[at + from..], the range at ranges[slot], [slot + 1]. */
function quantise(row: number[], from: number, to: number, values: Uint8ClampedArray, at: number, ranges: Float32Array, slot: number): void {
  let [min, max] = [Infinity, -Infinity];
  for (let k = from; k < to; k++) [min, max] = [Math.min(min, row[k]), Math.max(max, row[k])];
  if (to <= from) [min, max] = [0, 0];
  [ranges[slot], ranges[slot + 1]] = [min, max];
  // The range as stored (float32), so decoding with it lands on the nearest level; the clamped array rounds and
  // keeps a value a float32 rounding below the stored min at 0.
  const [low, span] = [ranges[slot], ranges[slot + 1] - ranges[slot]];
  for (let k = from; k < to; k++) values[at + k] = span > 0 ? ((row[k] - low) / span) * 255 : 0;
}
