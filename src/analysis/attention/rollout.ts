/**
 * Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers").
 *
 * Each layer's attention (heads x T x T, rows are queries, each row a probability distribution over keys) is
 * turned into one T x T transition matrix:
 *   F = the heads fused elementwise (mean, max or min);
 *   with the residual (default): Â = (F + I) / rowsum(F + I), which is exactly 0.5·F + 0.5·I when the rows
 *   of F sum to 1 (mean fusion of softmax rows), and still a proper row-stochastic matrix after max or min
 *   fusion, whose rows do not sum to 1;
 *   without the residual: Â = F / rowsum(F).
 * With a discard ratio r (vit-explain's `discard_ratio`, jacobgil/vit-explain vit_rollout.py), the floor(r·T²)
 * smallest entries of F are set to 0 before the residual is added, except F[0][0] (CLS to itself), as vit-explain
 * does: it takes the r·T² smallest and then drops index 0 from them. Ties are taken lowest index first. One
 * departure: vit-explain's `a / a.sum(dim=-1)` broadcasts a [1, T] row of sums over the columns, dividing entry
 * (i, j) by row j's sum; here each row is divided by its own sum, as the paper's rollout (rows stay distributions).
 * A row whose sum is 0 (only possible without the residual) is left as zeros rather than divided into NaN.
 * The rollout is the product Â_L · … · Â_start (last layer on the left), so its row q says how much each input
 * token flows into output token q.
 */
import { badInput } from '../../core/errors';
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';
import { requireLength, requirePositiveInt } from '../shape';

/** How the heads of one layer are combined into one matrix, elementwise. */
export type HeadFusion = 'mean' | 'max' | 'min';

/** Choices for attention rollout; every field has the default shown. */
export interface RolloutOptions extends LongRunOptions {
  /** Elementwise combination of the heads. Default 'mean'. */
  headFusion?: HeadFusion;
  /** First layer (0-based) in the product; earlier layers are skipped. Default 0. */
  startLayer?: number;
  /** Add the identity for the residual connection before renormalising rows. Default true. */
  residual?: boolean;
  /** The fraction of each layer's smallest fused entries set to 0 first (vit-explain's discard_ratio), in [0, 1). Default 0. */
  discardRatio?: number;
}

const FUSIONS: Record<HeadFusion, (a: number, b: number) => number> = {
  mean: (a, b) => a + b,
  max: Math.max,
  min: Math.min,
};

/**
 * One layer's heads fused, its smallest entries discarded (`discardRatio`), residual added and rows renormalised,
 * as a T x T float64 matrix (Â above; attention flow's capacities too).
 */
export function layerTransition(layer: Float32Array, heads: number, tokens: number, fusion: HeadFusion, residual: boolean, discardRatio = 0): Float64Array {
  const size = tokens * tokens;
  const fused = Float64Array.from(layer.subarray(0, size));
  const combine = FUSIONS[fusion];
  for (let h = 1; h < heads; h++) {
    for (let k = 0; k < size; k++) fused[k] = combine(fused[k], layer[h * size + k]);
  }
  if (fusion === 'mean') for (let k = 0; k < size; k++) fused[k] /= heads;
  discardSmallest(fused, Math.floor(size * discardRatio));
  for (let r = 0; r < tokens; r++) {
    if (residual) fused[r * tokens + r] += 1;
    let sum = 0;
    for (let c = 0; c < tokens; c++) sum += fused[r * tokens + c];
    if (sum > 0) for (let c = 0; c < tokens; c++) fused[r * tokens + c] /= sum;
  }
  return fused;
}

/** Sets the `count` smallest entries of `fused` to 0 (ties lowest index first), leaving entry 0 as it is. */
function discardSmallest(fused: Float64Array, count: number): void {
  if (count <= 0) return;
  const order = Array.from(fused.keys()).sort((a, b) => fused[a] - fused[b] || a - b);
  for (const k of order.slice(0, count)) if (k !== 0) fused[k] = 0;
}

/** Checks the inputs and returns the resolved options (attention flow takes the same). */
export function prepareRollout(layers: Float32Array[], heads: number, tokens: number, options: RolloutOptions) {
  requirePositiveInt(heads, 'attentionRollout: heads');
  requirePositiveInt(tokens, 'attentionRollout: tokens');
  layers.forEach((layer, i) => requireLength(layer, heads * tokens * tokens, `attentionRollout: layer ${i}`));
  const headFusion = options.headFusion ?? 'mean';
  const startLayer = options.startLayer ?? 0;
  if (!Object.hasOwn(FUSIONS, headFusion)) throw badInput(`Unknown head fusion "${headFusion}".`, 'Use mean, max or min.');
  if (layers.length === 0) throw badInput('Attention rollout needs at least one attention layer, and none was given.');
  if (!Number.isInteger(startLayer) || startLayer < 0 || startLayer >= layers.length) {
    throw badInput(`Rollout start layer ${startLayer} is out of range.`, `Use a layer from 0 to ${layers.length - 1}.`);
  }
  const discardRatio = options.discardRatio ?? 0;
  if (!(discardRatio >= 0 && discardRatio < 1)) throw badInput(`Rollout discard ratio ${discardRatio} is not in [0, 1).`, 'Use a fraction such as 0.9 (vit-explain\'s default), or 0 to keep every entry.');
  return { headFusion, startLayer, residual: options.residual ?? true, discardRatio };
}

/**
 * Full attention rollout for one item: `layers[l]` is that layer's attention, heads x T x T row-major.
 * Returns the T x T rollout matrix, row-major. Costs T³ per layer; when only one query row is wanted
 * (the CLS map), `attentionRolloutRow` gives the same row in T² per layer.
 */
export function attentionRollout(layers: Float32Array[], heads: number, tokens: number, options: RolloutOptions = {}): Float32Array {
  const { headFusion, startLayer, residual, discardRatio } = prepareRollout(layers, heads, tokens, options);
  let rollout = layerTransition(layers[startLayer], heads, tokens, headFusion, residual, discardRatio);
  for (let l = startLayer + 1; l < layers.length; l++) {
    throwIfCancelled(options.signal);
    const a = layerTransition(layers[l], heads, tokens, headFusion, residual, discardRatio);
    const product = new Float64Array(tokens * tokens);
    for (let i = 0; i < tokens; i++) {
      for (let k = 0; k < tokens; k++) {
        const aik = a[i * tokens + k];
        if (aik === 0) continue;
        for (let j = 0; j < tokens; j++) product[i * tokens + j] += aik * rollout[k * tokens + j];
      }
    }
    rollout = product;
    options.onProgress?.({ stage: 'rollout', done: l - startLayer, total: layers.length - 1 - startLayer });
  }
  return Float32Array.from(rollout);
}

/**
 * Row `query` of the attention rollout (same inputs and options as `attentionRollout`), computed as
 * e_query · Â_L · … · Â_start from the last layer down. Returns T values: the flow from each input token.
 */
export function attentionRolloutRow(
  layers: Float32Array[],
  heads: number,
  tokens: number,
  query: number,
  options: RolloutOptions = {},
): Float32Array {
  const { headFusion, startLayer, residual, discardRatio } = prepareRollout(layers, heads, tokens, options);
  if (!Number.isInteger(query) || query < 0 || query >= tokens) throw badInput(`Query token ${query} is out of range.`, `Use a token from 0 to ${tokens - 1}.`);
  let row = new Float64Array(tokens);
  row[query] = 1;
  for (let l = layers.length - 1; l >= startLayer; l--) {
    throwIfCancelled(options.signal);
    const a = layerTransition(layers[l], heads, tokens, headFusion, residual, discardRatio);
    const next = new Float64Array(tokens);
    for (let k = 0; k < tokens; k++) {
      if (row[k] === 0) continue;
      for (let j = 0; j < tokens; j++) next[j] += row[k] * a[k * tokens + j];
    }
    row = next;
    options.onProgress?.({ stage: 'rollout', done: layers.length - l, total: layers.length - startLayer });
  }
  return Float32Array.from(row);
}
