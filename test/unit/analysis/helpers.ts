/** Helpers of the analysis tests: a seeded generator and an elementwise closeness check. */
/** The seeded generator of the analyses (mulberry32), so the random test matrices are the same on every run. */
export { mulberry32 as seededRandom } from '../../../src/analysis/random';

/** Asserts two arrays have the same length and agree elementwise within `tolerance`. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} !== ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      throw new Error(`element ${i}: ${actual[i]} is not within ${tolerance} of ${expected[i]}`);
    }
  }
}

/** Random attention: heads x T x T with every row a softmax of random logits. */
export function randomAttention(random: () => number, heads: number, tokens: number): Float32Array {
  const out = new Float32Array(heads * tokens * tokens);
  for (let row = 0; row < heads * tokens; row++) {
    const e = Array.from({ length: tokens }, () => Math.exp(4 * random()));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((x, k) => (out[row * tokens + k] = x / sum));
  }
  return out;
}
