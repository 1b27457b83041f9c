/**
 * Retrieval recall@k over a set of image-caption pairs that may repeat an image or a caption (COCO has five
 * captions per image). Queries and candidates are the distinct images and captions; which captions are right
 * for which images is a relevance matrix, so a query counts as found when any of its right answers is in the
 * top k. Ties count as broken at random, as in pairMetrics'
 * recallAtK, which this equals when the only right answer of row i is column i.
 */
import { LensError } from '../../core/errors';
import { requireLength, requirePositiveInt } from '../shape';

/**
 * Which image and which caption each pair holds, as non-negative keys (equal keys: the same item), and whether
 * the pair matches.
 */
export interface PairKeys {
  images: ArrayLike<number>;
  captions: ArrayLike<number>;
  /** Truthy: the pair's caption matches its image. */
  matches: ArrayLike<number | boolean>;
}

/**
 * The distinct images x distinct captions of a set of pairs (row-major, in order of first appearance): their
 * scores, and which captions are right answers for which images (some matching pair holds both). A repeated
 * image or caption is one candidate, so a wrong one that scores high pushes the right answer down once.
 */
export interface RetrievalSet {
  images: number;
  captions: number;
  scores: Float32Array;
  relevant: Uint8Array;
}

/** Index of each key among the distinct keys, in order of first appearance, and how many there are. */
function distinct(keys: ArrayLike<number>): { index: number[]; first: number[] } {
  const seen = new Map<number, number>();
  const first: number[] = [];
  const index = Array.from(keys, (key, pair) => {
    let at = seen.get(key);
    if (at === undefined) {
      at = first.length;
      seen.set(key, at);
      first.push(pair);
    }
    return at;
  });
  return { index, first };
}

/**
 * The retrieval set of n pairs whose n x n `scores` have the pairs' images as rows and their captions as
 * columns; a repeated image's rows (a repeated caption's columns) are equal, so the first is kept.
 */
export function retrievalSet(scores: Float32Array, keys: PairKeys): RetrievalSet {
  const n = keys.images.length;
  requireLength(keys.captions, n, 'retrievalSet: captions');
  requireLength(scores, n * n, 'retrievalSet: scores');
  if (keys.matches.length !== n) throw new LensError('internal', `retrievalSet: ${keys.matches.length} match flags for ${n} pairs.`);
  const images = distinct(keys.images);
  const captions = distinct(keys.captions);
  const rows = images.first.length;
  const cols = captions.first.length;
  const set: RetrievalSet = { images: rows, captions: cols, scores: new Float32Array(rows * cols), relevant: new Uint8Array(rows * cols) };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) set.scores[r * cols + c] = scores[images.first[r] * n + captions.first[c]];
  }
  for (let p = 0; p < n; p++) if (keys.matches[p]) set.relevant[images.index[p] * cols + captions.index[p]] = 1;
  return set;
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
 * Recall@k of one query whose n candidates sit at base, base + stride, ... of the set's scores and relevance
 * (a row: stride 1; a column: stride = the number of captions); undefined when it has no right answer.
 */
function queryHit(set: RetrievalSet, base: number, stride: number, n: number, k: number): number | undefined {
  const { scores, relevant } = set;
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

/** Recall@k both ways and how many queries (distinct images / captions with a right answer) it averages over. */
export interface RelevanceRecall {
  imageToText: number;
  textToImage: number;
  queries: { imageToText: number; textToImage: number };
}

/** The mean hit chance over the images (`byImage`) or the captions, and how many of them have a right answer. */
function meanHits(set: RetrievalSet, k: number, byImage: boolean): { value: number; queries: number } {
  requirePositiveInt(k, 'recall: k');
  const queries = byImage ? set.images : set.captions;
  let sum = 0;
  let counted = 0;
  for (let q = 0; q < queries; q++) {
    const hit = byImage ? queryHit(set, q * set.captions, 1, set.captions, k) : queryHit(set, q, set.captions, set.images, k);
    if (hit === undefined) continue;
    sum += hit;
    counted += 1;
  }
  if (counted === 0) throw new LensError('internal', 'recall: no query has a right answer.');
  return { value: sum / counted, queries: counted };
}

/** Recall@k both ways over the distinct images and captions of a retrieval set. */
export function recallWithRelevance(set: RetrievalSet, k: number): RelevanceRecall {
  const images = meanHits(set, k, true);
  const captions = meanHits(set, k, false);
  return { imageToText: images.value, textToImage: captions.value, queries: { imageToText: images.queries, textToImage: captions.queries } };
}

/** The image-to-text half of recallWithRelevance, for the probes that need only it. */
export function imageToTextRecall(set: RetrievalSet, k: number): number {
  return meanHits(set, k, true).value;
}
