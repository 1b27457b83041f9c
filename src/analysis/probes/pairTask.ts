/**
 * The task metric the fusion probes compare (EMAP, perceptual score) on a square score matrix over a set of
 * pairs: retrieval recall@1 from image to text, or, for a labelled set, the accuracy or ROC AUC of each
 * pair's own score (the diagonal) against its label. Also the permuted sets of the perceptual score.
 */
import type { ProbeMetric } from '../../shared/probeResult';
import { accuracyAt, rocAuc } from './pairMetrics';
import { imageToTextRecall, retrievalSet, type PairKeys } from './retrieval';
import { requireLength } from '../shape';

/** The diagonal of an n x n matrix: each pair's own score. */
export function diagonal(scores: Float32Array, n: number): Float32Array {
  requireLength(scores, n * n, 'diagonal: scores');
  return Float32Array.from({ length: n }, (_, i) => scores[i * n + i]);
}

/**
 * The metric of `scores` (n x n, rows the pairs' images, columns their captions) for the pairs `keys`;
 * `threshold` (accuracy only) is the decision threshold, chosen once on the full model (bestThreshold).
 */
export function taskMetric(metric: ProbeMetric, scores: Float32Array, keys: PairKeys, threshold = 0): number {
  const n = keys.images.length;
  if (metric === 'recall@1') return imageToTextRecall(retrievalSet(scores, keys), 1);
  if (metric === 'accuracy') return accuracyAt(diagonal(scores, n), keys.matches, threshold);
  return rocAuc(diagonal(scores, n), keys.matches);
}

/** A set of pairs and its score matrix with one modality shuffled across the set. */
export interface PermutedSet {
  scores: Float32Array;
  keys: PairKeys;
}

/**
 * Pair i given the image of pair perm[i] (its caption and label kept): the score matrix's rows and the image
 * keys permuted. No new model run is needed, since every image was already scored with every caption.
 */
export function permuteImages(scores: Float32Array, keys: PairKeys, perm: ArrayLike<number>): PermutedSet {
  const n = keys.images.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out.set(scores.subarray(perm[i] * n, (perm[i] + 1) * n), i * n);
  return { scores: out, keys: { ...keys, images: Array.from({ length: n }, (_, i) => keys.images[perm[i]]) } };
}

/** Pair i given the caption of pair perm[i] (its image and label kept): columns and caption keys permuted. */
export function permuteCaptions(scores: Float32Array, keys: PairKeys, perm: ArrayLike<number>): PermutedSet {
  const n = keys.images.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = scores[i * n + perm[j]];
  return { scores: out, keys: { ...keys, captions: Array.from({ length: n }, (_, j) => keys.captions[perm[j]]) } };
}
