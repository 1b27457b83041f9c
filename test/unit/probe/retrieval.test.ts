// Recall@k over distinct images and captions with a relevance matrix (repeated images and captions, labels),
// checked against pairMetrics' recallAtK on distinct pairs and against hand-counted cases; the permuted sets of
// the perceptual score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recallAtK } from '../../../src/analysis/probes/pairMetrics';
import { permuteCaptions, permuteImages, taskMetric } from '../../../src/analysis/probes/pairTask';
import { recallWithRelevance, retrievalSet } from '../../../src/analysis/probes/retrieval';
import { mulberry32 } from '../../../src/analysis/random';

const distinctKeys = (n: number) => ({ images: Array.from({ length: n }, (_, i) => i), captions: Array.from({ length: n }, (_, i) => i), matches: Array(n).fill(true) });

test('with distinct pairs the relevance is the diagonal and recall equals recallAtK, ties included', () => {
  const random = mulberry32(5);
  for (const n of [2, 5, 9]) {
    // Scores on a coarse grid, so that ties with the right answer are common.
    const scores = Float32Array.from({ length: n * n }, () => Math.round(random() * 4) / 4);
    const set = retrievalSet(scores, distinctKeys(n));
    assert.deepEqual(Array.from(set.relevant), Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0)));
    assert.deepEqual(Array.from(set.scores), Array.from(scores));
    for (const k of [1, 2, 5]) {
      const expected = recallAtK(scores, n, k);
      const actual = recallWithRelevance(set, k);
      assert.ok(Math.abs(actual.imageToText - expected.imageToText) < 1e-12, `n ${n} k ${k} image to text`);
      assert.ok(Math.abs(actual.textToImage - expected.textToImage) < 1e-12, `n ${n} k ${k} text to image`);
      assert.deepEqual(actual.queries, { imageToText: n, textToImage: n });
    }
  }
});

test('a repeated image or caption is one query and one candidate; its right answers are every matching partner', () => {
  // Pairs: (A, "x"), (A, "y"), (B, "x"), (C, "z"): distinct images A, B, C and captions x, y, z.
  const keys = { images: [0, 0, 1, 2], captions: [0, 1, 0, 2], matches: [true, true, true, true] };
  // Rows: the images of the pairs (A, A, B, C); columns: the captions (x, y, x, z).
  const scores = Float32Array.from([
    0.1, 0.9, 0.1, 0.5,
    0.1, 0.9, 0.1, 0.5,
    0.2, 0.8, 0.2, 0.1,
    0.3, 0.3, 0.3, 0.9,
  ]);
  const set = retrievalSet(scores, keys);
  assert.deepEqual([set.images, set.captions], [3, 3]);
  assert.deepEqual(Array.from(set.scores), Array.from(Float32Array.from([0.1, 0.9, 0.5, 0.2, 0.8, 0.1, 0.3, 0.3, 0.9])));
  assert.deepEqual(Array.from(set.relevant), [
    1, 1, 0, // A: x and y
    1, 0, 0, // B: x
    0, 0, 1, // C: z
  ]);
  // Images: A's best right answer y (0.9) is first; B's right answer x (0.2) is beaten once by y (0.8): a miss at
  // 1, a hit at 2; C finds z.
  const at1 = recallWithRelevance(set, 1);
  assert.equal(at1.imageToText, 2 / 3);
  assert.equal(recallWithRelevance(set, 2).imageToText, 1);
  // Captions: x's right images A (0.1) and B (0.2) lose to C (0.3): a miss; y finds A; z finds C.
  assert.equal(at1.textToImage, 2 / 3);
  assert.deepEqual(at1.queries, { imageToText: 3, textToImage: 3 });
});

test('a wrong image listed twice pushes the right answer down once, not twice', () => {
  // Pairs (A, "x"), (B, "y"), (B, "z"): for caption x, the wrong image B outscores A; A is still second.
  const keys = { images: [0, 1, 1], captions: [0, 1, 2], matches: [true, true, true] };
  const scores = Float32Array.from([0.5, 0.1, 0.1, 0.9, 0.8, 0.8, 0.9, 0.8, 0.8]);
  const set = retrievalSet(scores, keys);
  assert.equal(set.images, 2);
  // Columns: x -> A (0.5) below B (0.9): rank 2; y and z -> B first.
  assert.equal(recallWithRelevance(set, 2).textToImage, 1);
  assert.equal(recallWithRelevance(set, 1).textToImage, 2 / 3);
});

test('tied right and wrong answers: the chance that a right one comes first', () => {
  // Row 0: two right answers and one wrong answer tie at the top, so a right one is first 2 times in 3;
  // rows 1 and 2 are sure hits.
  const set = { images: 3, captions: 3, relevant: Uint8Array.from([1, 1, 0, 0, 1, 0, 0, 0, 1]), scores: Float32Array.from([1, 1, 1, 0, 1, 0, 0, 0, 1]) };
  assert.ok(Math.abs(recallWithRelevance(set, 1).imageToText - (2 / 3 + 1 + 1) / 3) < 1e-12);
  assert.equal(recallWithRelevance(set, 2).imageToText, 1);
});

test('labels: a pair labelled 0 is not a right answer, and a query without one is left out', () => {
  const keys = { images: [0, 1, 2], captions: [0, 1, 2], matches: [true, false, true] };
  const scores = Float32Array.from([0.9, 0.1, 0.2, 0.5, 0.5, 0.5, 0.1, 0.95, 0.3]);
  const set = retrievalSet(scores, keys);
  assert.deepEqual(Array.from(set.relevant), [1, 0, 0, 0, 0, 0, 0, 0, 1]);
  const recall = recallWithRelevance(set, 1);
  assert.deepEqual(recall.queries, { imageToText: 2, textToImage: 2 });
  assert.equal(recall.imageToText, 1 / 2); // row 0 hits, row 2 prefers column 1
  assert.equal(recall.textToImage, 1 / 2); // column 0: 0.9 is best; column 2: image 1 (0.5) beats image 2 (0.3)
});

test('permuted sets: pair i takes the image (caption) of pair perm[i], keeping its label', () => {
  const scores = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const keys = { images: [10, 11, 12], captions: [20, 21, 22], matches: [true, false, true] };
  const perm = [2, 0, 1];
  const images = permuteImages(scores, keys, perm);
  // Row i is the old row perm[i]: image of pair perm[i] with every caption.
  assert.deepEqual(Array.from(images.scores), [7, 8, 9, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(images.keys, { images: [12, 10, 11], captions: [20, 21, 22], matches: [true, false, true] });
  const captions = permuteCaptions(scores, keys, perm);
  // Column j is the old column perm[j].
  assert.deepEqual(Array.from(captions.scores), [3, 1, 2, 6, 4, 5, 9, 7, 8]);
  assert.deepEqual(captions.keys.captions, [22, 20, 21]);
});

test('taskMetric: recall@1 from image to text, or accuracy / AUC of the diagonal against the labels', () => {
  const scores = Float32Array.from([0.9, 0.1, 0.2, 0.3, 0.4, 0.8, 0.6, 0.7, 0.5]);
  const keys = { images: [0, 1, 2], captions: [0, 1, 2], matches: [true, false, true] };
  // Diagonal 0.9, 0.4, 0.5 with labels 1, 0, 1.
  assert.equal(taskMetric('accuracy', scores, keys, 0.45), 1);
  assert.equal(taskMetric('accuracy', scores, keys, 0.6), 2 / 3);
  assert.equal(taskMetric('auc', scores, keys), 1);
  // Right answers: row 0 col 0 (hit), row 2 col 2 (0.5 loses to 0.7 and 0.6): 1/2.
  assert.equal(taskMetric('recall@1', scores, keys), 1 / 2);
});
