/**
 * EMAP, empirical multimodally-additive function projection (Hessel & Lee 2020, "Does my multimodal model
 * learn cross-modal interactions? It's harder to tell than you might think!"). Projecting a model's scores on
 * every image-text combination onto the best additive function f(image) + g(text) removes all interaction
 * between the modalities; if the projected scores do as well as the real ones, the model does not use any.
 */
import { requireLength, requirePositiveInt } from '../shape';

/**
 * The additive projection of an N x M score matrix (row-major; rows one modality, columns the other, every
 * combination scored): row mean + column mean - grand mean, N x M row-major.
 */
export function emapProjection(scores: Float32Array, rows: number, cols: number): Float32Array {
  requirePositiveInt(rows, 'emapProjection: rows');
  requirePositiveInt(cols, 'emapProjection: cols');
  requireLength(scores, rows * cols, 'emapProjection: scores');
  const rowMeans = new Float64Array(rows);
  const colMeans = new Float64Array(cols);
  let grand = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = scores[i * cols + j];
      rowMeans[i] += v / cols;
      colMeans[j] += v / rows;
      grand += v / (rows * cols);
    }
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = rowMeans[i] + colMeans[j] - grand;
  return out;
}
