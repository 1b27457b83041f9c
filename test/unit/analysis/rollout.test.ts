import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionRollout, attentionRolloutRow, type HeadFusion } from '../../../src/analysis/attention/rollout';
import { LensError } from '../../../src/core/errors';
import { assertClose, randomAttention, seededRandom } from './helpers';

// Two layers, two heads, two tokens. Layer 0: heads [[1,0],[.5,.5]] and [[.5,.5],[0,1]];
// layer 1: heads [[.5,.5],[.5,.5]] and [[1,0],[1,0]].
const handLayers = [new Float32Array([1, 0, 0.5, 0.5, 0.5, 0.5, 0, 1]), new Float32Array([0.5, 0.5, 0.5, 0.5, 1, 0, 1, 0])];

test('rollout with mean fusion and residual matches the 2x2 example worked by hand', () => {
  // Â0 = 0.5·[[.75,.25],[.25,.75]] + 0.5·I = [[.875,.125],[.125,.875]]
  // Â1 = 0.5·[[.75,.25],[.75,.25]] + 0.5·I = [[.875,.125],[.375,.625]]
  // Â1·Â0 = [[.78125,.21875],[.40625,.59375]]  (Â0·Â1 would give [.8125,.1875] in row 0)
  assertClose(attentionRollout(handLayers, 2, 2), [0.78125, 0.21875, 0.40625, 0.59375]);
});

test('rollout with max fusion renormalises rows after adding the identity', () => {
  // max0 + I = [[2,.5],[.5,2]] → [[.8,.2],[.2,.8]]; max1 + I = [[2,.5],[1,1.5]] → [[.8,.2],[.4,.6]]
  assertClose(attentionRollout(handLayers, 2, 2, { headFusion: 'max' }), [0.68, 0.32, 0.44, 0.56]);
});

test('rollout with min fusion', () => {
  // min0 + I = 1.5·I → I; min1 + I = [[1.5,0],[.5,1]] → [[1,0],[1/3,2/3]]
  assertClose(attentionRollout(handLayers, 2, 2, { headFusion: 'min' }), [1, 0, 1 / 3, 2 / 3]);
});

test('rollout from a later start layer skips the earlier layers', () => {
  assertClose(attentionRollout(handLayers, 2, 2, { startLayer: 1 }), [0.875, 0.125, 0.375, 0.625]);
});

test('rollout without the residual multiplies the fused attention itself', () => {
  // [[.75,.25],[.75,.25]]·[[.75,.25],[.25,.75]]
  assertClose(attentionRollout(handLayers, 2, 2, { residual: false }), [0.625, 0.375, 0.625, 0.375]);
});

/** Reference: the transition matrix of one layer as a 2-d array, written from the paper's formula. */
function referenceTransition(layer: Float32Array, heads: number, t: number, fusion: HeadFusion): number[][] {
  const at = (h: number, i: number, j: number) => layer[h * t * t + i * t + j];
  const fused = (i: number, j: number) => {
    const values = Array.from({ length: heads }, (_, h) => at(h, i, j));
    if (fusion === 'max') return Math.max(...values);
    if (fusion === 'min') return Math.min(...values);
    return values.reduce((a, b) => a + b, 0) / heads;
  };
  return Array.from({ length: t }, (_, i) => {
    const row = Array.from({ length: t }, (_, j) => fused(i, j) + (i === j ? 1 : 0));
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((x) => x / sum);
  });
}

function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, x, k) => sum + x * b[k][j], 0)));
}

function referenceRollout(layers: Float32Array[], heads: number, t: number, fusion: HeadFusion, start: number): number[][] {
  let product = referenceTransition(layers[start], heads, t, fusion);
  for (let l = start + 1; l < layers.length; l++) product = matMul(referenceTransition(layers[l], heads, t, fusion), product);
  return product;
}

test('rollout of random attention matches a direct matrix-product reference, and so does each single row', () => {
  const random = seededRandom(42);
  const heads = 3;
  const t = 5;
  const layers = [0, 1, 2, 3].map(() => randomAttention(random, heads, t));
  for (const fusion of ['mean', 'max', 'min'] as const) {
    for (const start of [0, 2]) {
      const expected = referenceRollout(layers, heads, t, fusion, start);
      const options = { headFusion: fusion, startLayer: start };
      assertClose(attentionRollout(layers, heads, t, options), expected.flat(), 1e-6);
      for (let q = 0; q < t; q++) assertClose(attentionRolloutRow(layers, heads, t, q, options), expected[q], 1e-6);
    }
  }
});

test('rollout rejects bad options as user errors and bad shapes as internal errors', () => {
  const kind = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof LensError);
      return error.kind;
    }
    assert.fail('expected a throw');
  };
  assert.equal(kind(() => attentionRollout(handLayers, 2, 2, { startLayer: 2 })), 'badInput');
  assert.equal(kind(() => attentionRollout(handLayers, 2, 2, { headFusion: 'median' as HeadFusion })), 'badInput');
  assert.equal(kind(() => attentionRollout([], 2, 2)), 'badInput');
  assert.equal(kind(() => attentionRolloutRow(handLayers, 2, 2, 2)), 'badInput');
  assert.equal(kind(() => attentionRollout(handLayers, 2, 3)), 'internal');
  const controller = new AbortController();
  controller.abort();
  assert.equal(kind(() => attentionRollout(handLayers, 2, 2, { signal: controller.signal })), 'cancelled');
});

test('a discard ratio zeroes the smallest fused entries but CLS to itself, by hand', () => {
  // Layer 1 fused = [[.75,.25],[.75,.25]]; discard floor(4 x 0.5) = 2 smallest: the two .25 (index 1 before 3).
  // Layer 0 fused = [[.75,.25],[.25,.75]]: its two smallest are the .25 at indices 1 and 2.
  // Â0 = ([[.75,0],[0,.75]] + I) rows normalised = I; Â1 = ([[.75,0],[.75,0]] + I) rows normalised = [[1,0],[.75/1.75,1/1.75]].
  assertClose(attentionRollout(handLayers, 2, 2, { discardRatio: 0.5 }), [1, 0, 0.75 / 1.75, 1 / 1.75]);
  // A layer whose CLS-to-CLS value is the smallest: it is kept, so one fewer is discarded. Ratio 0.25 discards
  // nothing; 0.5 discards the 0.4 alone, and row 1 renormalised is [1, 0].
  const clsSmallest = [new Float32Array([0.1, 0.9, 0.6, 0.4])];
  assertClose(attentionRollout(clsSmallest, 1, 2, { discardRatio: 0.25, residual: false }), [0.1, 0.9, 0.6, 0.4]);
  assertClose(attentionRollout(clsSmallest, 1, 2, { discardRatio: 0.5, residual: false }), [0.1, 0.9, 1, 0]);
});

test('a discard ratio gives vit-explain\'s rollout (with rows renormalised) on random attention', () => {
  const random = seededRandom(41);
  const [heads, t, ratio] = [3, 6, 0.7];
  const layers = [0, 1, 2].map(() => randomAttention(random, heads, t));
  // vit-explain's loop, written out on 2-d arrays: fuse (mean), zero the floor(ratio T²) smallest but index 0,
  // a = (F + I) / 2 with each row divided by its sum, result = a · result.
  let result: number[][] = Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => (i === j ? 1 : 0)));
  for (const layer of layers) {
    const flat = Array.from({ length: t * t }, (_, k) => Array.from({ length: heads }, (_, h) => layer[h * t * t + k]).reduce((a, b) => a + b) / heads);
    const smallest = flat.map((v, k) => [v, k]).sort((x, y) => x[0] - y[0] || x[1] - y[1]).slice(0, Math.floor(t * t * ratio)).map(([, k]) => k);
    for (const k of smallest) if (k !== 0) flat[k] = 0;
    const a = Array.from({ length: t }, (_, i) => {
      const row = Array.from({ length: t }, (_, j) => (flat[i * t + j] + (i === j ? 1 : 0)) / 2);
      const sum = row.reduce((x, y) => x + y);
      return row.map((v) => v / sum);
    });
    result = a.map((row) => Array.from({ length: t }, (_, j) => row.reduce((sum, v, k) => sum + v * result[k][j], 0)));
  }
  assertClose(attentionRollout(layers, heads, t, { discardRatio: ratio }), result.flat(), 1e-6);
  assertClose(attentionRolloutRow(layers, heads, t, 0, { discardRatio: ratio }), result[0], 1e-6);
  assert.throws(() => attentionRollout(layers, heads, t, { discardRatio: 1 }), (error: unknown) => error instanceof LensError && /discard ratio 1 is not in \[0, 1\)/.test(error.message));
});
