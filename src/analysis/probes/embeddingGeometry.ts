/**
 * Geometry of a two-tower model's joint space: the modality gap (Liang et al. 2022, "Mind the Gap"), and the
 * alignment and uniformity of contrastive embeddings (Wang & Isola 2020). All are measured on L2-normalised
 * embeddings, the sphere the contrastive loss works on.
 */
import { LensError } from '../../core/errors';
import { rowCount } from '../shape';

/** The rows of a row-major matrix scaled to unit length, in float64; a zero row stays zero. */
export function unitRows(data: Float32Array, dim: number, what: string): Float64Array {
  const rows = rowCount(data, dim, what);
  const out = Float64Array.from(data);
  for (let r = 0; r < rows; r++) {
    const row = out.subarray(r * dim, (r + 1) * dim);
    const length = Math.hypot(...row);
    if (length > 0) row.forEach((v, k) => (row[k] = v / length));
  }
  return out;
}

function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, dim: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += (a[i * dim + k] - b[j * dim + k]) ** 2;
  return sum;
}

function centroid(unit: Float64Array, dim: number): Float64Array {
  const rows = unit.length / dim;
  const out = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let k = 0; k < dim; k++) out[k] += unit[r * dim + k] / rows;
  return out;
}

/** Modality gap: the distance between the centroids of the normalised image and text embeddings (rows of `dim`). */
export function modalityGap(image: Float32Array, text: Float32Array, dim: number): number {
  const a = unitRows(image, dim, 'modalityGap: image');
  const b = unitRows(text, dim, 'modalityGap: text');
  if (a.length === 0 || b.length === 0) throw new LensError('internal', 'modalityGap: an embedding set is empty.');
  return Math.sqrt(squaredDistance(centroid(a, dim), 0, centroid(b, dim), 0, dim));
}

/** Alignment (α = 2): the mean squared distance between normalised matching pairs, image row i with text row i. */
export function pairAlignment(image: Float32Array, text: Float32Array, dim: number): number {
  const a = unitRows(image, dim, 'pairAlignment: image');
  const b = unitRows(text, dim, 'pairAlignment: text');
  const n = a.length / dim;
  if (n === 0 || b.length !== a.length) throw new LensError('internal', `pairAlignment: ${n} images and ${b.length / dim} texts do not pair up.`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += squaredDistance(a, i, b, i, dim);
  return sum / n;
}

/**
 * Uniformity of one modality: log of the mean of exp(-t·‖x̂_i - x̂_j‖²) over distinct pairs i < j (default
 * t = 2). Lower is more uniform on the sphere; needs at least two embeddings.
 */
export function uniformity(embeds: Float32Array, dim: number, t = 2): number {
  const a = unitRows(embeds, dim, 'uniformity: embeds');
  const n = a.length / dim;
  if (n < 2) throw new LensError('internal', `uniformity: needs at least 2 embeddings, got ${n}.`);
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sum += Math.exp(-t * squaredDistance(a, i, a, j, dim));
  return Math.log(sum / ((n * (n - 1)) / 2));
}
