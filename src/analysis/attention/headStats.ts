/**
 * Per-head summaries of a vision tower's attention, one number per layer and head, for a head-grid view:
 * how spread out a head's attention is (entropy), how far it looks across the image (mean attention
 * distance, as in Dosovitskiy et al. 2021, "An Image is Worth 16x16 Words", fig. 7), and how much it parks
 * on the CLS token or on the query itself.
 */
import { LensError } from '../../core/errors';
import { requireLength, requirePositiveInt } from '../shape';

/** Where the patches sit among the tokens (the same fields as the inference side's PatchGrid). */
export interface PatchGeometry {
  rows: number;
  cols: number;
  /** Index of the first patch token; the rows x cols patches follow in row-major order. */
  firstPatch: number;
  /** Index of the CLS token, undefined for models without one. */
  clsIndex?: number;
}

/** One value per (layer, head), at index layer·heads + head. */
export interface HeadStatistics {
  layers: number;
  heads: number;
  /** Mean over all query rows of −Σ p ln p, in nats. */
  entropy: Float32Array;
  /** `entropy` divided by ln(tokens), so 1 is uniform attention; 0 when there is a single token. */
  normalizedEntropy: Float32Array;
  /** Mean attention distance over the patch queries, in patch units (see `headStatistics`). */
  meanDistance: Float32Array;
  /** Mean over all queries of the attention on `sinkToken`. */
  clsShare: Float32Array;
  /** Mean over all queries of the attention a query pays to itself. */
  diagonalShare: Float32Array;
  /** The token `clsShare` measures: the CLS token, or token 0 for a model without one. */
  sinkToken: number;
}

/** Euclidean distance between two patch centres, indexed by |Δrow|·cols + |Δcol|. */
function offsetDistances(rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, (_, k) => Math.hypot(Math.floor(k / cols), k % cols));
}

/**
 * Mean attention distance of one head (its T x T block starting at `base`): for each patch query, the
 * attention over the patch keys only, renormalised to sum to 1 (mass on CLS or other non-patch tokens has
 * no position), weights the distances to those keys. A query with no mass on any patch has no distance and
 * is left out of the mean; when every query is like that the result is 0.
 */
function headDistance(layer: Float32Array, base: number, tokens: number, geometry: PatchGeometry, table: Float64Array): number {
  const { rows, cols, firstPatch } = geometry;
  const patches = rows * cols;
  let total = 0;
  let counted = 0;
  for (let q = 0; q < patches; q++) {
    const rowStart = base + (firstPatch + q) * tokens + firstPatch;
    const qr = Math.floor(q / cols);
    const qc = q % cols;
    let mass = 0;
    let weighted = 0;
    for (let k = 0; k < patches; k++) {
      const p = layer[rowStart + k];
      mass += p;
      weighted += p * table[Math.abs(Math.floor(k / cols) - qr) * cols + Math.abs((k % cols) - qc)];
    }
    if (mass > 0) {
      total += weighted / mass;
      counted++;
    }
  }
  return counted > 0 ? total / counted : 0;
}

function checkGeometry(tokens: number, geometry: PatchGeometry): void {
  const { rows, cols, firstPatch, clsIndex } = geometry;
  requirePositiveInt(rows, 'headStatistics: rows');
  requirePositiveInt(cols, 'headStatistics: cols');
  if (!Number.isInteger(firstPatch) || firstPatch < 0 || firstPatch + rows * cols > tokens) {
    throw new LensError('internal', `headStatistics: ${rows}x${cols} patches from token ${firstPatch} do not fit in ${tokens} tokens.`);
  }
  if (clsIndex !== undefined && (!Number.isInteger(clsIndex) || clsIndex < 0 || clsIndex >= tokens)) {
    throw new LensError('internal', `headStatistics: CLS index ${clsIndex} is outside 0..${tokens - 1}.`);
  }
}

/**
 * Statistics of every head of one item's attention: `layers[l]` is heads x T x T, row-major, rows are
 * queries. Entropy, CLS share and diagonal share average over all T queries; the mean distance averages
 * over the patch queries only and measures in patch units (neighbours are 1 apart, diagonal neighbours √2).
 */
export function headStatistics(layers: Float32Array[], heads: number, tokens: number, geometry: PatchGeometry): HeadStatistics {
  requirePositiveInt(heads, 'headStatistics: heads');
  requirePositiveInt(tokens, 'headStatistics: tokens');
  if (layers.length === 0) throw new LensError('internal', 'headStatistics: no attention layers were given.');
  layers.forEach((layer, i) => requireLength(layer, heads * tokens * tokens, `headStatistics: layer ${i}`));
  checkGeometry(tokens, geometry);
  const count = layers.length * heads;
  const out = {
    entropy: new Float32Array(count),
    normalizedEntropy: new Float32Array(count),
    meanDistance: new Float32Array(count),
    clsShare: new Float32Array(count),
    diagonalShare: new Float32Array(count),
  };
  const sink = geometry.clsIndex ?? 0;
  const table = offsetDistances(geometry.rows, geometry.cols);
  const maxEntropy = Math.log(tokens);
  layers.forEach((layer, l) => {
    for (let h = 0; h < heads; h++) {
      const base = h * tokens * tokens;
      let entropy = 0;
      let cls = 0;
      let diagonal = 0;
      for (let q = 0; q < tokens; q++) {
        const row = base + q * tokens;
        for (let k = 0; k < tokens; k++) {
          const p = layer[row + k];
          if (p > 0) entropy -= p * Math.log(p);
        }
        cls += layer[row + sink];
        diagonal += layer[row + q];
      }
      const i = l * heads + h;
      out.entropy[i] = entropy / tokens;
      out.normalizedEntropy[i] = maxEntropy > 0 ? entropy / tokens / maxEntropy : 0;
      out.clsShare[i] = cls / tokens;
      out.diagonalShare[i] = diagonal / tokens;
      out.meanDistance[i] = headDistance(layer, base, tokens, geometry, table);
    }
  });
  return { layers: layers.length, heads, ...out, sinkToken: sink };
}
