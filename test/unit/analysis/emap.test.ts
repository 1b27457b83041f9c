import { test } from 'node:test';
import { emapProjection } from '../../../src/analysis/probes/emap';
import { assertClose, seededRandom } from './helpers';

test('an additive matrix r_i + c_j has no interaction, so EMAP gives it back', () => {
  const r = [0.5, -1, 2];
  const c = [3, 0, -0.25, 1];
  const additive = Float32Array.from(r.flatMap((ri) => c.map((cj) => ri + cj)));
  assertClose(emapProjection(additive, 3, 4), additive, 1e-6);
});

test('the identity is pure interaction: EMAP of [[1,0],[0,1]] is all 0.5', () => {
  assertClose(emapProjection(new Float32Array([1, 0, 0, 1]), 2, 2), [0.5, 0.5, 0.5, 0.5]);
});

test('EMAP of a random matrix keeps its row and column means and has zero interaction', () => {
  const random = seededRandom(9);
  const [n, m] = [4, 5];
  const scores = Float32Array.from({ length: n * m }, () => random());
  const projected = emapProjection(scores, n, m);
  const rowMean = (a: Float32Array, i: number) => a.slice(i * m, (i + 1) * m).reduce((s, v) => s + v, 0) / m;
  const colMean = (a: Float32Array, j: number) => Array.from({ length: n }, (_, i) => a[i * m + j]).reduce((s, v) => s + v, 0) / n;
  assertClose(Array.from({ length: n }, (_, i) => rowMean(projected, i)), Array.from({ length: n }, (_, i) => rowMean(scores, i)), 1e-6);
  assertClose(Array.from({ length: m }, (_, j) => colMean(projected, j)), Array.from({ length: m }, (_, j) => colMean(scores, j)), 1e-6);
  // Additive: every 2x2 "interaction contrast" s_ij - s_il - s_kj + s_kl is 0.
  const contrasts = [];
  for (let i = 1; i < n; i++) for (let j = 1; j < m; j++) contrasts.push(projected[i * m + j] - projected[i * m] - projected[j] + projected[0]);
  assertClose(contrasts, new Array(contrasts.length).fill(0), 1e-6);
});
