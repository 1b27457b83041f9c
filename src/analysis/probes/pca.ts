/**
 * A 2-D principal component view of image and text embeddings together, to show the modality gap as two
 * separate clouds. Power iteration on the covariance, done as Xᵀ(Xv) so the d x d matrix is never formed.
 */
import { LensError } from '../../core/errors';
import { unitRows } from './embeddingGeometry';
import { mulberry32 } from '../random';
import { rowCount } from '../shape';

/** The two leading principal components of the image and text embeddings together. */
export interface Pca2d {
  /** (images + texts) x 2 row-major: images first, then texts, each point's coordinates on the two axes. */
  coordinates: Float32Array;
  /** 2 x dim row-major: the unit axes, each signed so that its largest-magnitude component is positive. */
  axes: Float32Array;
  /** Share of the total variance along each axis; [0, 0] when all points coincide. */
  explainedVarianceRatio: [number, number];
}

const MAX_ITERATIONS = 500;

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * b[k];
  return sum;
}

/** `v` scaled to unit length, or unchanged when it is zero. */
function unit(v: Float64Array): Float64Array {
  const length = Math.sqrt(dot(v, v));
  return length > 0 ? v.map((value) => value / length) : v;
}

/** Removes from `v` its components along each of `against` (unit vectors). */
function orthogonalise(v: Float64Array, against: Float64Array[]): void {
  for (const u of against) {
    const along = dot(v, u);
    for (let k = 0; k < v.length; k++) v[k] -= along * u[k];
  }
}

/** Covariance times v for centred rows x (n x dim): Xᵀ(Xv) / n. */
function covarianceTimes(x: Float64Array, n: number, v: Float64Array): Float64Array {
  const dim = v.length;
  const out = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * dim, (i + 1) * dim);
    const projection = dot(row, v) / n;
    for (let k = 0; k < dim; k++) out[k] += projection * row[k];
  }
  return out;
}

/** The leading eigenvector of the covariance orthogonal to `found`, and its eigenvalue. */
function leadingAxis(x: Float64Array, n: number, dim: number, found: Float64Array[]): { axis: Float64Array; variance: number } {
  // A fixed pseudo-random start: deterministic, and almost surely not orthogonal to the wanted axis.
  const random = mulberry32(found.length + 1);
  const start = Float64Array.from({ length: dim }, () => random() - 0.5);
  orthogonalise(start, found);
  let v = unit(start);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const w = covarianceTimes(x, n, v);
    orthogonalise(w, found);
    // No variance left in the directions still allowed: any unit vector there is an axis of eigenvalue 0.
    if (dot(w, w) === 0) break;
    const next = unit(w);
    const converged = 1 - Math.abs(dot(next, v)) < 1e-12;
    v = next;
    if (converged) break;
  }
  let largest = 0;
  v.forEach((value, k) => (largest = Math.abs(value) > Math.abs(v[largest]) ? k : largest));
  if (v[largest] < 0) v = v.map((value) => -value);
  return { axis: v, variance: dot(v, covarianceTimes(x, n, v)) };
}

/**
 * 2-D PCA of the image and text embeddings (rows of `dim`) as one cloud. With `normalise` (default true) the
 * embeddings are L2-normalised first, as the modality-gap plots do.
 */
export function pca2d(image: Float32Array, text: Float32Array, dim: number, normalise = true): Pca2d {
  const n = rowCount(image, dim, 'pca2d: image') + rowCount(text, dim, 'pca2d: text');
  if (n < 2) throw new LensError('internal', `pca2d: needs at least 2 embeddings, got ${n}.`);
  const x = new Float64Array(n * dim);
  x.set(normalise ? unitRows(image, dim, 'pca2d: image') : image);
  x.set(normalise ? unitRows(text, dim, 'pca2d: text') : text, image.length);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += x[i * dim + k] / n;
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) x[i * dim + k] -= mean[k];
  const total = dot(x, x) / n;
  const first = leadingAxis(x, n, dim, []);
  const second = leadingAxis(x, n, dim, [first.axis]);
  const coordinates = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * dim, (i + 1) * dim);
    coordinates[2 * i] = dot(row, first.axis);
    coordinates[2 * i + 1] = dot(row, second.axis);
  }
  return {
    coordinates,
    axes: Float32Array.from([...first.axis, ...second.axis]),
    explainedVarianceRatio: total > 0 ? [first.variance / total, second.variance / total] : [0, 0],
  };
}
