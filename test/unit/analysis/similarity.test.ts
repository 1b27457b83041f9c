import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineSimilarityMatrix, sigmoidScores, softmaxRows } from '../../../src/analysis/similarity';
import { LensError } from '../../../src/core/errors';
import { assertClose, seededRandom } from './helpers';

test('cosine similarity of 2-d vectors matches values worked by hand', () => {
  const a = new Float32Array([1, 0, 1, 1]);
  const b = new Float32Array([0, 1, 3, 4, -2, 0]);
  const r = Math.SQRT1_2;
  assertClose(cosineSimilarityMatrix(a, b, 2), [0, 0.6, -1, r, 7 / (5 * Math.SQRT2), -r]);
});

test('cosine similarity with a zero vector is 0, not NaN', () => {
  assertClose(cosineSimilarityMatrix(new Float32Array([0, 0]), new Float32Array([1, 2]), 2), [0]);
});

test('cosine similarity of random matrices matches a normalise-then-dot reference', () => {
  const random = seededRandom(7);
  const dim = 16;
  const a = Float32Array.from({ length: 3 * dim }, () => random() * 2 - 1);
  const b = Float32Array.from({ length: 4 * dim }, () => random() * 2 - 1);
  const unit = (m: Float32Array, row: number) => {
    const v = Array.from(m.subarray(row * dim, (row + 1) * dim));
    const length = Math.hypot(...v);
    return v.map((x) => x / length);
  };
  const expected: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      const u = unit(a, i);
      const w = unit(b, j);
      expected.push(u.reduce((sum, x, k) => sum + x * w[k], 0));
    }
  }
  assertClose(cosineSimilarityMatrix(a, b, dim), expected, 1e-6);
});

test('cosine similarity rejects a length that is not a whole number of rows', () => {
  assert.throws(() => cosineSimilarityMatrix(new Float32Array(5), new Float32Array(4), 2), LensError);
});

test('softmax of each row matches hand values, with and without a scale', () => {
  assertClose(softmaxRows(new Float32Array([0, Math.log(2), Math.log(3)]), 1, 3), [1 / 6, 2 / 6, 3 / 6]);
  // Two rows: the second is scaled by ln 3, so exp gives 1 and 3.
  assertClose(softmaxRows(new Float32Array([0, 0, 0, 1]), 2, 2, Math.log(3)), [0.5, 0.5, 0.25, 0.75]);
  assertClose(softmaxRows(new Float32Array([0, 1]), 1, 2, -Math.log(3)), [0.75, 0.25]);
});

test('softmax stays finite for logits that would overflow exp', () => {
  const e = Math.exp(-1);
  assertClose(softmaxRows(new Float32Array([1000, 999]), 1, 2), [1 / (1 + e), e / (1 + e)]);
  assertClose(softmaxRows(new Float32Array([0.5, 0.49]), 1, 2, 100_000), [1, 0]);
});

test('softmax rejects a shape that does not match the data', () => {
  assert.throws(() => softmaxRows(new Float32Array(5), 2, 3), LensError);
});

test('sigmoid scores are worked by hand: sigmoid(10 * 0.5 - 5) = 0.5, sigmoid(10 * 1 - 10 + ln 3) = 0.75', () => {
  assertClose(sigmoidScores(new Float32Array([0.5]), 10, -5), [0.5]);
  assertClose(sigmoidScores(new Float32Array([1]), 10, -10 + Math.log(3)), [0.75]);
});
