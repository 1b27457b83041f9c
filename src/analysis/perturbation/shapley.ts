/**
 * Shapley values of a set function over a few features (image patches and text tokens for MM-SHAP), model-agnostic:
 * the permutation-sampling estimator of shap's Permutation explainer, as MM-SHAP's authors run it
 * (Heidelberg-NLP/MM-SHAP, shap/explainers/_permutation.py), and the exact values by enumerating every coalition
 * (the reference the estimator is tested against). The model stays behind the value function.
 */
import { badInput, LensError } from '../../core/errors';
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';
import { mulberry32 } from '../random';

/**
 * The value of `count` coalitions: row r of `coalitions` (count x features, row-major) is 1 where feature f is
 * present and 0 where it is hidden. One number per row.
 */
export type CoalitionValue = (coalitions: Uint8Array, count: number) => Promise<Float64Array>;

/** Options of the permutation estimator. */
export interface PermutationShapleyOptions extends LongRunOptions {
  /**
   * shap's max_evals: each antithetic permutation is counted as 2·features + 1 evaluations, as shap counts it, so
   * floor(evaluations / (2·features + 1)) permutations are walked. Default: 10 permutations' worth, the number
   * MM-SHAP's authors fix in their copy of shap.
   */
  evaluations?: number;
  /** Seed of the permutations (mulberry32). Default 0. */
  seed?: number;
}

/** Shapley values and the two coalitions they split the difference of. */
export interface ShapleyResult {
  /** One value per feature; they sum to `full - empty` (efficiency). */
  values: Float64Array;
  /** Value with every feature present. */
  full: number;
  /** Value with every feature hidden. */
  empty: number;
  /** Permutations walked (each forwards and backwards); 0 for exact enumeration. */
  permutations: number;
  /** Coalitions the value function was asked for. */
  forwardPasses: number;
}

/** The permutations MM-SHAP's authors walk per explanation (they hard-code it in shap's Permutation explainer). */
export const AUTHORS_PERMUTATIONS = 10;

/** Exact enumeration is refused above this many features (2^features coalitions). */
export const MAX_EXACT_FEATURES = 16;

function checkFeatures(features: number): void {
  if (!Number.isInteger(features) || features < 1) throw badInput(`Shapley values need at least one feature, got ${features}.`);
}

/** The value function's answer for `count` rows, checked. */
async function valuesOf(value: CoalitionValue, coalitions: Uint8Array, count: number): Promise<Float64Array> {
  const out = await value(coalitions, count);
  if (out.length !== count) throw new LensError('internal', `Shapley values: the value function returned ${out.length} values for ${count} coalitions.`);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new LensError('internal', `Shapley values: the value function returned ${out[bad]} for coalition ${bad}.`);
  return out;
}

/** The number of permutations an evaluation budget buys, as shap's Permutation explainer divides it. */
export function permutationsFor(features: number, evaluations: number): number {
  const perPermutation = 2 * features + 1;
  const permutations = Math.floor(evaluations / perPermutation);
  if (!Number.isInteger(evaluations) || permutations < 1) {
    throw badInput(`${evaluations} evaluations are too few for ${features} features: one permutation, forwards and backwards, takes 2 x ${features} + 1 = ${perPermutation}.`, `Allow at least ${perPermutation} evaluations.`);
  }
  return permutations;
}

/**
 * Permutation sampling with antithetic pairs (shap's Permutation explainer): for each seeded random order of the
 * features, add them one by one from the empty coalition, crediting each with the change it makes, then remove
 * them in the same order from the full coalition (the reverse order's walk). Every walk's credits sum to
 * full - empty, so the estimate is efficient exactly; features that never change the input get exactly 0.
 * The empty and full coalitions are asked for once, not in every walk as shap does (the same numbers, fewer passes).
 * One batch of 2·features − 2 coalitions per permutation; progress and cancellation between permutations.
 */
export async function permutationShapley(features: number, value: CoalitionValue, options: PermutationShapleyOptions = {}): Promise<ShapleyResult> {
  checkFeatures(features);
  const permutations = permutationsFor(features, options.evaluations ?? AUTHORS_PERMUTATIONS * (2 * features + 1));
  const random = mulberry32(options.seed ?? 0);
  const ends = new Uint8Array(2 * features);
  ends.fill(1, features);
  const [empty, full] = await valuesOf(value, ends, 2);
  const sums = new Float64Array(features);
  const order = Uint32Array.from({ length: features }, (_, f) => f);
  const rows = 2 * features - 2;
  let forwardPasses = 2;
  for (let p = 0; p < permutations; p++) {
    throwIfCancelled(options.signal);
    for (let i = features - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    // Row k - 1 (k = 1 .. features - 1): the first k features of the order present. Row features - 2 + k: all but them.
    const coalitions = new Uint8Array(rows * features);
    for (let k = 1; k < features; k++) {
      const added = coalitions.subarray((k - 1) * features, k * features);
      const removed = coalitions.subarray((features - 2 + k) * features, (features - 1 + k) * features);
      removed.fill(1);
      for (let i = 0; i < k; i++) {
        added[order[i]] = 1;
        removed[order[i]] = 0;
      }
    }
    const walk = rows > 0 ? await valuesOf(value, coalitions, rows) : new Float64Array(0);
    throwIfCancelled(options.signal);
    forwardPasses += rows;
    // Forwards: the value after adding order[k] minus before. Backwards: before removing order[k] minus after.
    const forward = (k: number) => (k === 0 ? empty : k === features ? full : walk[k - 1]);
    const backward = (k: number) => (k === 0 ? full : k === features ? empty : walk[features - 2 + k]);
    for (let k = 0; k < features; k++) sums[order[k]] += forward(k + 1) - forward(k) + backward(k) - backward(k + 1);
    options.onProgress?.({ stage: 'shapley', done: p + 1, total: permutations });
  }
  return { values: sums.map((s) => s / (2 * permutations)), full, empty, permutations, forwardPasses };
}

/**
 * Exact Shapley values by enumerating all 2^features coalitions: φ_f = Σ_{S ∌ f} |S|!(n-|S|-1)!/n! (v(S ∪ f) - v(S)).
 * For tests and tiny feature sets (at most MAX_EXACT_FEATURES).
 */
export async function exactShapley(features: number, value: CoalitionValue, options: LongRunOptions & { batchSize?: number } = {}): Promise<ShapleyResult> {
  checkFeatures(features);
  if (features > MAX_EXACT_FEATURES) throw badInput(`Exact Shapley values enumerate 2^${features} coalitions; at most ${MAX_EXACT_FEATURES} features are allowed.`, 'Use the permutation estimator.');
  const total = 2 ** features;
  const batchSize = options.batchSize ?? 64;
  const v = new Float64Array(total);
  for (let first = 0; first < total; first += batchSize) {
    throwIfCancelled(options.signal);
    const n = Math.min(batchSize, total - first);
    const coalitions = new Uint8Array(n * features);
    for (let r = 0; r < n; r++) for (let f = 0; f < features; f++) coalitions[r * features + f] = ((first + r) >> f) & 1;
    v.set(await valuesOf(value, coalitions, n), first);
    options.onProgress?.({ stage: 'shapley', done: first + n, total });
  }
  // weight[s]: s!(n - s - 1)!/n!, the share of orders in which a coalition of size s precedes the feature.
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const weight = Float64Array.from({ length: features }, (_, s) => (factorial(s) * factorial(features - s - 1)) / factorial(features));
  const values = new Float64Array(features);
  for (let mask = 0; mask < total; mask++) {
    let size = 0;
    for (let m = mask; m; m &= m - 1) size++;
    for (let f = 0; f < features; f++) if (!((mask >> f) & 1)) values[f] += weight[size] * (v[mask | (1 << f)] - v[mask]);
  }
  return { values, full: v[total - 1], empty: v[0], permutations: 0, forwardPasses: total };
}
