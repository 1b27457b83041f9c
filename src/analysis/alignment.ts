/**
 * Patch-level image-text alignment: how closely each image patch points in the direction of a text.
 */
import { cosineSimilarityMatrix } from './similarity';
import { requireLength } from './shape';

/**
 * Cosine similarity of each of P patch embeddings (`patchEmbeds`, P x d row-major) with one text embedding
 * (`text`, length d). Returns P values in patch order. The patch embeddings must already be in the joint
 * space (for CLIP: post-layernorm and visual projection applied), or the cosines mean nothing.
 */
export function patchAlignment(patchEmbeds: Float32Array, text: Float32Array, d: number): Float32Array {
  requireLength(text, d, 'patchAlignment: text');
  return cosineSimilarityMatrix(patchEmbeds, text, d);
}
