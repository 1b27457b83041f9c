/**
 * Retrieval recall@k over a set of image-caption pairs that may repeat an image or a caption (COCO has five
 * captions per image). Which texts are right for which images is a relevance matrix, so a query counts as
 * found when any of its right answers is in the top k. Ties count as broken at random, as in pairMetrics'
 * recallAtK, which this equals when the only right answer of row i is column i.
 */
import { LensError } from '../inference/errors';
import { requireLength, requirePositiveInt } from './shape';

/**
 * Which image and which caption each pair holds, as small non-negative keys (indices of the distinct images and
 * captions; equal keys: the same item), and whether the pair matches.
 */
export interface PairKeys {
  images: ArrayLike<number>;
  captions: ArrayLike<number>;
  /** Truthy: the pair's caption matches its image. */
  matches: ArrayLike<number | boolean>;
}

/**
 * n x n, row-major: [i][j] is 1 when some matching pair holds the image of pair i with the caption of pair j,
 * so the text of pair j is a right answer for the image of pair i (and that image for that text).
 */
export function relevanceMatrix(keys: PairKeys): Uint8Array {
  const n = keys.images.length;
  requireLength(keys.captions, n, 'relevanceMatrix: captions');
  if (keys.matches.length !== n) throw new LensError('internal', `relevanceMatrix: ${keys.matches.length} match flags for ${n} pairs.`);
  const imageCount = Array.from(keys.images).reduce((max, c) => Math.max(max, c), 0) + 1;
  const captionCount = Array.from(keys.captions).reduce((max, c) => Math.max(max, c), 0) + 1;
  // Which (image, caption) combinations some matching pair holds, by key; then looked up per pair.
  const matched = new Uint8Array(imageCount * captionCount);
  for (let p = 0; p < n; p++) if (keys.matches[p]) matched[keys.images[p] * captionCount + keys.captions[p]] = 1;
  const relevant = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = keys.images[i] * captionCount;
    for (let j = 0; j < n; j++) relevant[i * n + j] = matched[row + keys.captions[j]];
  }
  return relevant;
}

/**
 * Chance that the best right answer lands in the top k when `greater` wrong answers score higher and, at its
 * score, `right` right and `wrong` wrong answers tie: 1 - C(wrong, m) / C(right + wrong, m) with m = k - greater.
 */
function hitChance(greater: number, right: number, wrong: number, k: number): number {
  const m = k - greater;
  if (m <= 0) return 0;
  if (m > wrong) return 1;
  let allWrong = 1;
  for (let q = 0; q < m; q++) allWrong *= (wrong - q) / (right + wrong - q);
  return 1 - allWrong;
}

/**
 * Recall@k of one query whose n candidates sit at base, base + stride, ... of `scores` and `relevant` (a row:
 * stride 1; a column: stride n); undefined when it has no right answer.
 */
function queryHit(scores: Float32Array, relevant: Uint8Array, base: number, stride: number, n: number, k: number): number | undefined {
  let best = -Infinity;
  let any = false;
  for (let c = 0, at = base; c < n; c++, at += stride) {
    if (relevant[at] === 1) {
      any = true;
      best = Math.max(best, scores[at]);
    }
  }
  if (!any) return undefined;
  let greater = 0;
  let right = 0;
  let wrong = 0;
  for (let c = 0, at = base; c < n; c++, at += stride) {
    const s = scores[at];
    if (relevant[at] === 1) right += s === best ? 1 : 0;
    else if (s > best) greater++;
    else if (s === best) wrong++;
  }
  return hitChance(greater, right, wrong, k);
}

/** Recall@k both ways and how many queries (rows / columns with at least one right answer) it averages over. */
export interface RelevanceRecall {
  imageToText: number;
  textToImage: number;
  queries: { imageToText: number; textToImage: number };
}

/** The mean hit chance over the rows (`byRow`) or the columns, and how many of them have a right answer. */
function meanHits(scores: Float32Array, relevant: Uint8Array, n: number, k: number, byRow: boolean): { value: number; queries: number } {
  let sum = 0;
  let queries = 0;
  for (let q = 0; q < n; q++) {
    const hit = byRow ? queryHit(scores, relevant, q * n, 1, n, k) : queryHit(scores, relevant, q, n, n, k);
    if (hit === undefined) continue;
    sum += hit;
    queries += 1;
  }
  if (queries === 0) throw new LensError('internal', 'recall: no query has a right answer.');
  return { value: sum / queries, queries };
}

function checkShapes(scores: Float32Array, n: number, relevant: Uint8Array, k: number): void {
  requirePositiveInt(n, 'recall: n');
  requireLength(scores, n * n, 'recall: scores');
  requireLength(relevant, n * n, 'recall: relevant');
  requirePositiveInt(k, 'recall: k');
}

/** Recall@k of an n x n score matrix (rows images, columns texts) against a relevance matrix of the same shape. */
export function recallWithRelevance(scores: Float32Array, n: number, relevant: Uint8Array, k: number): RelevanceRecall {
  checkShapes(scores, n, relevant, k);
  const rows = meanHits(scores, relevant, n, k, true);
  const cols = meanHits(scores, relevant, n, k, false);
  return { imageToText: rows.value, textToImage: cols.value, queries: { imageToText: rows.queries, textToImage: cols.queries } };
}

/** The image-to-text half of recallWithRelevance, for the probes that need only it. */
export function imageToTextRecall(scores: Float32Array, n: number, relevant: Uint8Array, k: number): number {
  checkShapes(scores, n, relevant, k);
  return meanHits(scores, relevant, n, k, true).value;
}
