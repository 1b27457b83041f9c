import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modalityGap, pairAlignment, uniformity } from '../../../src/analysis/probes/embeddingGeometry';
import { pca2d } from '../../../src/analysis/probes/pca';
import { LensError } from '../../../src/core/errors';
import { assertClose, seededRandom } from './helpers';

const close = (actual: number, expected: number, tolerance = 1e-9) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} !== ${expected}`);

test('modality gap of two clouds worked by hand, after normalising', () => {
  // Images normalise to (1,0), (0,1): centroid (.5,.5); texts to (-1,0), (0,-1): centroid (-.5,-.5).
  close(modalityGap(new Float32Array([3, 0, 0, 5]), new Float32Array([-2, 0, 0, -1]), 2), Math.SQRT2);
  // One cloud shifted along z: centroids (0, 0, 0.6) and (0, 0, -0.6) after normalising (±0.8, 0, ±0.6).
  close(modalityGap(new Float32Array([4, 0, 3, -8, 0, 6]), new Float32Array([0.8, 0, -0.6, -0.8, 0, -0.6]), 3), 1.2, 1e-6);
});

test('alignment is the mean squared distance of normalised pairs; uniformity the log mean Gaussian potential', () => {
  // Pairs (1,0)-(0,1): 2; (0,1)-(0,1): 0.
  close(pairAlignment(new Float32Array([1, 0, 0, 3]), new Float32Array([0, 2, 0, 1]), 2), 1);
  // (1,0), (0,1), (-1,0): squared distances 2, 4, 2.
  const points = new Float32Array([1, 0, 0, 2, -3, 0]);
  close(uniformity(points, 2), Math.log((2 * Math.exp(-4) + Math.exp(-8)) / 3));
  close(uniformity(points, 2, 1), Math.log((2 * Math.exp(-2) + Math.exp(-4)) / 3));
  assert.throws(() => pairAlignment(new Float32Array([1, 0]), new Float32Array([1, 0, 0, 1]), 2), LensError);
  assert.throws(() => uniformity(new Float32Array([1, 0]), 2), LensError);
});

test('PCA of points on a line: all variance on the first axis, coordinates along the line', () => {
  const direction = [1 / 3, 2 / 3, 2 / 3];
  const a = [-2, -1, 0, 1, 2, 5];
  const points = a.flatMap((t) => direction.map((d, k) => 1 + k + t * d));
  const result = pca2d(new Float32Array(points.slice(0, 9)), new Float32Array(points.slice(9)), 3, false);
  close(result.explainedVarianceRatio[0], 1, 1e-9);
  close(result.explainedVarianceRatio[1], 0, 1e-9);
  assertClose(result.axes.slice(0, 3), direction, 1e-6);
  const mean = a.reduce((s, t) => s + t, 0) / a.length;
  assertClose(Array.from({ length: 6 }, (_, i) => result.coordinates[2 * i]), a.map((t) => t - mean), 1e-5);
  assertClose(Array.from({ length: 6 }, (_, i) => result.coordinates[2 * i + 1]), new Array(6).fill(0), 1e-5);
});

test('PCA of a cross: variances 4.5 and 0.5, axes signed so their largest component is positive', () => {
  const result = pca2d(new Float32Array([3, 0, -3, 0]), new Float32Array([0, 1, 0, -1]), 2, false);
  assertClose(result.explainedVarianceRatio, [0.9, 0.1], 1e-9);
  assertClose(result.axes, [1, 0, 0, 1], 1e-6);
  assertClose(result.coordinates, [3, 0, -3, 0, 0, 1, 0, -1], 1e-6);
  const flipped = pca2d(new Float32Array([0, 3, 0, -3]), new Float32Array([-1, 0, 1, 0]), 2, false);
  assertClose(flipped.axes, [0, 1, 1, 0], 1e-6);
});

test('PCA normalises the rows first by default, like normalising them by hand', () => {
  const random = seededRandom(21);
  const image = Float32Array.from({ length: 5 * 4 }, () => random() + 0.5);
  const text = Float32Array.from({ length: 6 * 4 }, () => random() - 1);
  const unit = (m: Float32Array) => {
    const out = Float32Array.from(m);
    for (let r = 0; r < m.length / 4; r++) {
      const row = out.subarray(4 * r, 4 * r + 4);
      const length = Math.hypot(...row);
      row.forEach((v, k) => (row[k] = v / length));
    }
    return out;
  };
  const automatic = pca2d(image, text, 4);
  const manual = pca2d(unit(image), unit(text), 4, false);
  assertClose(automatic.explainedVarianceRatio, manual.explainedVarianceRatio, 1e-6);
  assertClose(automatic.coordinates, manual.coordinates, 1e-5);
  const [first, second] = automatic.explainedVarianceRatio;
  assert.ok(first >= second && second >= 0 && first + second <= 1 + 1e-9);
});
