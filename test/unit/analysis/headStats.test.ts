import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headStatistics } from '../../../src/analysis/attention/headStats';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

/** A T x T matrix, row-major, from a function of (query, key). */
function matrix(tokens: number, p: (q: number, k: number) => number): number[] {
  return Array.from({ length: tokens * tokens }, (_, i) => p(Math.floor(i / tokens), i % tokens));
}

// CLS + a 2x2 patch grid: tokens 1..4 are patches (0,0) (0,1) (1,0) (1,1).
const clsGrid = { rows: 2, cols: 2, firstPatch: 1, clsIndex: 0 };
const uniform = matrix(5, () => 0.2);
// Patch token t looks only at the diagonally opposite patch (1↔4, 2↔3); CLS looks at itself.
const opposite = matrix(5, (q, k) => (q === 0 ? (k === 0 ? 1 : 0) : k === 5 - q ? 1 : 0));
// Every token looks only at CLS.
const allCls = matrix(5, (_q, k) => (k === 0 ? 1 : 0));

test('head statistics of uniform, one-hot and CLS-only heads worked by hand, in layer·heads + head order', () => {
  const stats = headStatistics([new Float32Array([...uniform, ...opposite]), new Float32Array([...allCls, ...uniform])], 2, 5, clsGrid);
  assert.equal(stats.layers, 2);
  assert.equal(stats.heads, 2);
  assert.equal(stats.sinkToken, 0);
  // Uniform rows: entropy ln 5 in every row. One-hot rows: 0.
  assertClose(stats.entropy, [Math.log(5), 0, 0, Math.log(5)], 1e-6);
  assertClose(stats.normalizedEntropy, [1, 0, 0, 1], 1e-6);
  // Uniform over the 4 patches after dropping CLS: distances 0, 1, 1, √2 from any corner of a 2x2 grid.
  const uniformDistance = (2 + Math.SQRT2) / 4;
  // The CLS-only head has no mass on patches, so it has no distance and reports 0.
  assertClose(stats.meanDistance, [uniformDistance, Math.SQRT2, 0, uniformDistance], 1e-6);
  // Only the CLS row of `opposite` puts mass on CLS (and on its own diagonal).
  assertClose(stats.clsShare, [0.2, 0.2, 1, 0.2], 1e-6);
  assertClose(stats.diagonalShare, [0.2, 0.2, 0.2, 0.2], 1e-6);
});

test('mean distance renormalises each patch query over the patch keys only', () => {
  // Each patch puts 0.5 on CLS, 0.25 on itself and 0.25 on its horizontal neighbour (1↔2, 3↔4).
  // Over patches only that is 0.5 at distance 0 and 0.5 at distance 1: 0.5, not the 0.25 of the raw row.
  const neighbour = (q: number) => (q % 2 === 1 ? q + 1 : q - 1);
  const head = matrix(5, (q, k) => (q === 0 ? 0.2 : k === 0 ? 0.5 : k === q || k === neighbour(q) ? 0.25 : 0));
  const stats = headStatistics([new Float32Array(head)], 1, 5, clsGrid);
  assertClose(stats.meanDistance, [0.5], 1e-6);
  // CLS row 0.2, four patch rows 0.5 on CLS.
  assertClose(stats.clsShare, [(0.2 + 4 * 0.5) / 5], 1e-6);
  // Entropy: CLS row ln 5; each patch row −(0.5 ln 0.5 + 2·0.25 ln 0.25) = 1.5 ln 2.
  assertClose(stats.entropy, [(Math.log(5) + 4 * 1.5 * Math.LN2) / 5], 1e-6);
});

test('a 3x3 grid without CLS: half on self, half on the bottom-right corner', () => {
  const head = matrix(9, (q, k) => (q === 8 ? (k === 8 ? 1 : 0) : k === q || k === 8 ? 0.5 : 0));
  const stats = headStatistics([new Float32Array(head)], 1, 9, { rows: 3, cols: 3, firstPatch: 0 });
  assertClose(stats.entropy, [(8 * Math.LN2) / 9], 1e-6);
  assertClose(stats.normalizedEntropy, [(8 * Math.LN2) / 9 / Math.log(9)], 1e-6);
  // Distances to (2,2) from the other eight cells: 2√2, √5, 2, √5, √2, 1, 2, 1; each weighted by 0.5.
  const distances = 2 * Math.SQRT2 + Math.sqrt(5) + 2 + Math.sqrt(5) + Math.SQRT2 + 1 + 2 + 1;
  assertClose(stats.meanDistance, [(0.5 * distances) / 9], 1e-6);
  // Without a CLS token the share is measured on token 0; only row 0 looks at it (its own diagonal).
  assert.equal(stats.sinkToken, 0);
  assertClose(stats.clsShare, [0.5 / 9], 1e-6);
  assertClose(stats.diagonalShare, [(8 * 0.5 + 1) / 9], 1e-6);
});

test('a single token has entropy 0 and normalised entropy 0, not NaN', () => {
  const stats = headStatistics([new Float32Array([1])], 1, 1, { rows: 1, cols: 1, firstPatch: 0 });
  assertClose(stats.entropy, [0]);
  assertClose(stats.normalizedEntropy, [0]);
  assertClose(stats.meanDistance, [0]);
});

test('headStatistics rejects shapes that do not fit as internal errors', () => {
  const internal = (e: unknown) => e instanceof LensError && e.kind === 'internal';
  assert.throws(() => headStatistics([new Float32Array(24)], 1, 5, clsGrid), internal);
  assert.throws(() => headStatistics([], 1, 5, clsGrid), internal);
  assert.throws(() => headStatistics([new Float32Array(25)], 1, 5, { rows: 2, cols: 2, firstPatch: 2 }), internal);
  assert.throws(() => headStatistics([new Float32Array(25)], 1, 5, { ...clsGrid, clsIndex: 5 }), internal);
});
