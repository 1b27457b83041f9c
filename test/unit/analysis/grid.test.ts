import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowToGrid, toNested } from '../../../src/analysis/grid';
import { LensError } from '../../../src/core/errors';

// Five tokens (CLS + a 2x2 patch grid); the value at [query][key] is 10·query + key.
const matrix = Float32Array.from({ length: 25 }, (_, k) => 10 * Math.floor(k / 5) + (k % 5));

test('rowToGrid takes one query row over the patch tokens in row-major order', () => {
  assert.deepEqual(Array.from(rowToGrid(matrix, 5, 0, 1, 2, 2)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(rowToGrid(matrix, 5, 3, 1, 2, 2)), [31, 32, 33, 34]);
  assert.deepEqual(Array.from(rowToGrid(matrix, 5, 4, 0, 1, 3)), [40, 41, 42]);
});

test('rowToGrid rejects a row or a grid that does not fit', () => {
  assert.throws(() => rowToGrid(matrix, 5, 5, 1, 2, 2), LensError);
  assert.throws(() => rowToGrid(matrix, 5, 0, 2, 2, 2), LensError);
  assert.throws(() => rowToGrid(matrix, 4, 0, 1, 1, 1), LensError);
});

test('toNested builds row-major nested arrays', () => {
  const data = new Float32Array([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(toNested(data, [2, 3]), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(toNested(data, [3, 1, 2]), [[[1, 2]], [[3, 4]], [[5, 6]]]);
  assert.deepEqual(toNested(data, [6]), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(toNested([], [0, 3]), []);
});

test('toNested names the first non-finite element and rejects a wrong shape', () => {
  assert.throws(() => toNested([1, 2, 3, 4, NaN, 6], [2, 3], 'rollout'), (e: unknown) => e instanceof LensError && e.kind === 'internal' && e.message.includes('rollout[1][1] is NaN'));
  assert.throws(() => toNested([Infinity], [1], 'x'), /x\[0\] is Infinity/);
  assert.throws(() => toNested([1, 2, 3], [2, 2]), LensError);
  assert.throws(() => toNested([1, 2], [2, 0.5]), LensError);
});
