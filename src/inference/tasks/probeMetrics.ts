/**
 * The probes that need only the N x N score matrix: retrieval recall@1/5/10 both ways, EMAP (the metric of
 * the full scores against their additive projection) and the perceptual score (the metric with one modality
 * permuted across the set). Every permuted set is an index permutation of the matrix: no model run.
 */
import { emapProjection } from '../../analysis/probes/emap';
import { bestThreshold } from '../../analysis/probes/pairMetrics';
import { diagonal, permuteCaptions, permuteImages, taskMetric, type PermutedSet } from '../../analysis/probes/pairTask';
import { perceptualScore, permutedPairs } from '../../analysis/probes/perceptualScore';
import { recallWithRelevance, retrievalSet, type PairKeys } from '../../analysis/probes/retrieval';
import type { ProbeMetric, ProbeResult, RecallSet } from '../../shared/probeResult';

/** How many random derangements the perceptual score averages over (seeds seed, seed + 1, ...). */
export const PERMUTATION_RUNS = 5;

/** Recall@1, 5 and 10 in both directions over the distinct images and captions, with the number of queries that have a right answer. */
export function retrievalRecall(scores: Float32Array, keys: PairKeys): ProbeResult['retrieval'] {
  const set = retrievalSet(scores, keys);
  const [r1, r5, r10] = [1, 5, 10].map((k) => recallWithRelevance(set, k));
  const direction = (d: 'imageToText' | 'textToImage'): RecallSet => ({ r1: r1[d], r5: r5[d], r10: r10[d] });
  return { imageToText: direction('imageToText'), textToImage: direction('textToImage'), queries: r1.queries };
}

/** The accuracy threshold chosen on the full model's own-pair scores (accuracy only). */
function chosenThreshold(metric: ProbeMetric, scores: Float32Array, keys: PairKeys): number | undefined {
  return metric === 'accuracy' ? bestThreshold(diagonal(scores, keys.images.length), keys.matches).threshold : undefined;
}

/**
 * Why an unlabelled EMAP's additive recall@1 is no measurement: every row of the projection is the column means
 * plus a constant, so all `images` queries share one top caption, which is right for one of them.
 */
export function unlabelledEmapNotice(additive: number, images: number): string {
  return `EMAP's additive recall@1 (${additive.toFixed(3)}) is fixed by construction, not measured: the additive projection ranks the captions in one order for every image, ` +
    `so all ${images} images get the same top caption, right for one of them at most: 1/${images} = ${(1 / images).toFixed(3)} whatever the model (more only if captions repeat across images). ` +
    'Without labels EMAP says nothing about cross-modal interaction; ' +
    'label the pairs (1 match, 0 a hard negative) to measure it as Hessel & Lee do, on each pair\'s own score.';
}

/** EMAP: the metric on the full scores and on their additive projection (row mean + column mean - grand mean), and AUC when there are labels of both kinds. */
export function emapProbe(metric: ProbeMetric, scores: Float32Array, keys: PairKeys): ProbeResult['emap'] {
  const n = keys.images.length;
  const additive = emapProjection(scores, n, n);
  const threshold = chosenThreshold(metric, scores, keys);
  const emap: ProbeResult['emap'] = { metric, full: taskMetric(metric, scores, keys, threshold), additive: taskMetric(metric, additive, keys, threshold) };
  if (threshold !== undefined) emap.threshold = threshold;
  if (metric === 'recall@1') emap.notice = unlabelledEmapNotice(emap.additive, recallWithRelevance(retrievalSet(scores, keys), 1).queries.imageToText);
  // Only a labelled set has non-matching pairs, which AUC needs.
  const labelledBoth = Array.from(keys.matches).some((m) => !m);
  if (labelledBoth && metric !== 'auc') emap.auc = { full: taskMetric('auc', scores, keys), additive: taskMetric('auc', additive, keys) };
  return emap;
}

/** The perceptual score of each modality: the full metric minus the mean metric over PERMUTATION_RUNS derangements. */
export function perceptualProbe(metric: ProbeMetric, scores: Float32Array, keys: PairKeys, seed: number): ProbeResult['perceptualScore'] {
  const n = keys.images.length;
  const threshold = chosenThreshold(metric, scores, keys);
  const full = taskMetric(metric, scores, keys, threshold);
  const runs = (permute: (scores: Float32Array, keys: PairKeys, perm: Uint32Array) => PermutedSet) =>
    Array.from({ length: PERMUTATION_RUNS }, (_, r) => {
      const set = permute(scores, keys, permutedPairs(n, seed + r));
      return taskMetric(metric, set.scores, set.keys, threshold);
    });
  const permuted = { image: runs(permuteImages), text: runs(permuteCaptions) };
  return { metric, full, image: perceptualScore(full, permuted.image), text: perceptualScore(full, permuted.text), permuted, seed };
}
