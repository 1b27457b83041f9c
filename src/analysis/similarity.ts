/**
 * Cosine similarity and softmax on row-major matrices held in typed arrays. Sums run in float64 so that
 * long embeddings (768 or 1024 wide) do not lose precision before the final rounding to float32.
 */
import { requireLength, requirePositiveInt, rowCount } from './shape';

function rowNorms(data: Float32Array, rows: number, dim: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let k = r * dim; k < (r + 1) * dim; k++) sum += data[k] * data[k];
    norms[r] = Math.sqrt(sum);
  }
  return norms;
}

/**
 * Cosine similarity of every row of `a` with every row of `b` (both row-major, rows of width `dim`).
 * Returns a rowsA x rowsB matrix, row-major. A zero row has no direction; its similarities are 0, not NaN.
 */
export function cosineSimilarityMatrix(a: Float32Array, b: Float32Array, dim: number): Float32Array {
  const rowsA = rowCount(a, dim, 'cosineSimilarityMatrix: a');
  const rowsB = rowCount(b, dim, 'cosineSimilarityMatrix: b');
  const normsA = rowNorms(a, rowsA, dim);
  const normsB = rowNorms(b, rowsB, dim);
  const out = new Float32Array(rowsA * rowsB);
  for (let i = 0; i < rowsA; i++) {
    for (let j = 0; j < rowsB; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a[i * dim + k] * b[j * dim + k];
      const denominator = normsA[i] * normsB[j];
      out[i * rowsB + j] = denominator > 0 ? dot / denominator : 0;
    }
  }
  return out;
}

/**
 * Softmax of each row of a rows x cols matrix after multiplying by `scale` (a logit scale or 1/temperature).
 * The row maximum is subtracted before exponentiating so that large logits (CLIP's scale is 100) cannot
 * overflow to Infinity.
 */
export function softmaxRows(values: Float32Array, rows: number, cols: number, scale = 1): Float32Array {
  requirePositiveInt(rows, 'softmaxRows: rows');
  requirePositiveInt(cols, 'softmaxRows: cols');
  requireLength(values, rows * cols, 'softmaxRows: values');
  const out = new Float32Array(rows * cols);
  const scaled = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) {
      scaled[c] = values[r * cols + c] * scale;
      max = Math.max(max, scaled[c]);
    }
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      scaled[c] = Math.exp(scaled[c] - max);
      sum += scaled[c];
    }
    for (let c = 0; c < cols; c++) out[r * cols + c] = scaled[c] / sum;
  }
  return out;
}

/**
 * SigLIP's pairwise probabilities: sigmoid(scale * value + bias) for each entry on its own, since a sigmoid
 * model scores every image-text pair independently (rows need not sum to 1).
 */
export function sigmoidScores(values: Float32Array, scale: number, bias: number): Float32Array {
  return values.map((v) => 1 / (1 + Math.exp(-(scale * v + bias))));
}
