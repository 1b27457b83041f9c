/**
 * Metrics of image-text scores that the fusion probes compare before and after a change to the model's input
 * (EMAP, permuted pairs): retrieval recall@k, thresholded accuracy and ROC AUC. Ties are counted half-and-half
 * throughout, so a probe that flattens scores into ties is not rewarded by the order of iteration.
 */
import { badInput, LensError } from '../../core/errors';
import { requireLength, requirePositiveInt } from '../shape';

/** Recall@k in both retrieval directions. */
export interface RecallAtK {
  /** Share of images (rows) whose own text is among their k best-scored texts. */
  imageToText: number;
  /** Share of texts (columns) whose own image is among their k best-scored images. */
  textToImage: number;
}

/** Chance that an item with `greater` strictly better and `tied` equally scored rivals lands in the top k. */
function hitChance(greater: number, tied: number, k: number): number {
  // Ties broken at random put the item uniformly at ranks greater .. greater + tied.
  return Math.min(Math.max((k - greater) / (tied + 1), 0), 1);
}

/**
 * Recall@k of an n x n score matrix (row-major, rows images, columns texts) whose diagonal holds the matching
 * pairs. Ties with the true item count as broken at random (the expected recall).
 */
export function recallAtK(scores: Float32Array, n: number, k: number): RecallAtK {
  requirePositiveInt(n, 'recallAtK: n');
  requireLength(scores, n * n, 'recallAtK: scores');
  if (!Number.isInteger(k) || k <= 0) throw badInput(`Recall@k needs a positive whole k, got ${k}.`, 'Use k = 1, 5 or 10.');
  let imageToText = 0;
  let textToImage = 0;
  for (let i = 0; i < n; i++) {
    const own = scores[i * n + i];
    const row = { greater: 0, tied: 0 };
    const col = { greater: 0, tied: 0 };
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const inRow = scores[i * n + j];
      const inCol = scores[j * n + i];
      if (inRow > own) row.greater++;
      else if (inRow === own) row.tied++;
      if (inCol > own) col.greater++;
      else if (inCol === own) col.tied++;
    }
    imageToText += hitChance(row.greater, row.tied, k) / n;
    textToImage += hitChance(col.greater, col.tied, k) / n;
  }
  return { imageToText, textToImage };
}

/** Checks that scores and labels (truthy: a matching pair) pair up and hold both classes; returns the labels as booleans. */
function checkPairs(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, what: string): boolean[] {
  if (labels.length !== scores.length) throw new LensError('internal', `${what}: ${scores.length} scores but ${labels.length} labels.`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new LensError('internal', `${what}: score ${i} is ${scores[i]}.`);
  }
  const positive = Array.from(labels, Boolean);
  if (!positive.includes(true) || !positive.includes(false)) {
    throw badInput(`${what} needs both matching and non-matching pairs, and the labels hold only one kind.`, 'Add pairs of the missing kind.');
  }
  return positive;
}

/** Share of pairs classified right when a score above `threshold` means "match". */
export function accuracyAt(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, threshold: number): number {
  const positive = checkPairs(scores, labels, 'Accuracy');
  return positive.reduce((right, match, i) => right + (scores[i] > threshold === match ? 1 : 0), 0) / positive.length;
}

/** A decision threshold and the accuracy it reaches on the scores it was chosen on. */
export interface ThresholdChoice {
  threshold: number;
  accuracy: number;
}

/**
 * The threshold that maximises accuracy (score > threshold means "match"), to be chosen once on the full
 * model's scores and then applied unchanged to the probed scores (`accuracyAt`). Candidates: the lowest score
 * minus 1 (everything a match), the midpoints between consecutive distinct scores, and the highest score
 * (nothing a match); among equally accurate candidates the lowest wins.
 */
export function bestThreshold(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): ThresholdChoice {
  const positive = checkPairs(scores, labels, 'Threshold choice');
  const order = Array.from(positive.keys()).sort((a, b) => scores[a] - scores[b]);
  // Start with everything called a match, then move the threshold past one group of equal scores at a time.
  let right = positive.filter(Boolean).length;
  let best = { threshold: scores[order[0]] - 1, right };
  for (let g = 0; g < order.length; ) {
    const value = scores[order[g]];
    for (; g < order.length && scores[order[g]] === value; g++) right += positive[order[g]] ? -1 : 1;
    const threshold = g < order.length ? (value + scores[order[g]]) / 2 : value;
    if (right > best.right) best = { threshold, right };
  }
  return { threshold: best.threshold, accuracy: best.right / positive.length };
}

/**
 * ROC AUC by the Mann-Whitney statistic: the chance that a random matching pair outscores a random
 * non-matching one, ties counting 1/2 (computed from mid-ranks in n log n).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const positive = checkPairs(scores, labels, 'ROC AUC');
  const order = Array.from(positive.keys()).sort((a, b) => scores[a] - scores[b]);
  let positiveRanks = 0;
  for (let g = 0; g < order.length; ) {
    let end = g;
    while (end < order.length && scores[order[end]] === scores[order[g]]) end++;
    const midRank = (g + 1 + end) / 2;
    for (let i = g; i < end; i++) if (positive[order[i]]) positiveRanks += midRank;
    g = end;
  }
  const p = positive.filter(Boolean).length;
  const q = positive.length - p;
  return (positiveRanks - (p * (p + 1)) / 2) / (p * q);
}
