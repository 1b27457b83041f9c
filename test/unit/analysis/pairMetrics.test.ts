import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyAt, bestThreshold, recallAtK, rocAuc } from '../../../src/analysis/probes/pairMetrics';
import { emapProjection } from '../../../src/analysis/probes/emap';
import { LensError } from '../../../src/core/errors';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} !== ${expected}`);

test('recall@k in both directions, worked by hand, ties counted as a fair draw', () => {
  const scores = new Float32Array([
    [0.9, 0.1, 0.5], // own 0.9 is best
    [0.8, 0.7, 0.2], // own 0.7 is second
    [0.3, 0.3, 0.3], // own 0.3 ties with two others: rank 1, 2 or 3 equally likely
  ].flat());
  const at1 = recallAtK(scores, 3, 1);
  close(at1.imageToText, (1 + 0 + 1 / 3) / 3);
  // Columns: own 0.9 beats 0.8, 0.3; own 0.7 beats 0.1, 0.3; own 0.3 loses to 0.5, beats 0.2.
  close(at1.textToImage, (1 + 1 + 0) / 3);
  const at2 = recallAtK(scores, 3, 2);
  close(at2.imageToText, (1 + 1 + 2 / 3) / 3);
  close(at2.textToImage, 1);
  assert.deepEqual(recallAtK(scores, 3, 3), { imageToText: 1, textToImage: 1 });
});

test('after EMAP the identity is all ties, so recall@1 of two items falls to chance', () => {
  const projected = emapProjection(new Float32Array([1, 0, 0, 1]), 2, 2);
  assert.deepEqual(recallAtK(projected, 2, 1), { imageToText: 0.5, textToImage: 0.5 });
  assert.throws(() => recallAtK(projected, 2, 0), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
});

// Sorted: 0.1 (no), 0.35 (match), 0.4 (no), 0.4 (match), 0.8 (match).
const scores = [0.1, 0.4, 0.35, 0.8, 0.4];
const labels = [0, 0, 1, 1, 1];

test('ROC AUC counts a tie between a match and a non-match as 1/2', () => {
  // Match vs non-match pairs: 0.35 > 0.1, 0.35 < 0.4, 0.8 > both, 0.4 > 0.1, 0.4 = 0.4 → 4.5 of 6.
  close(rocAuc(scores, labels), 4.5 / 6);
  close(rocAuc([1, 2, 3], [false, true, true]), 1);
  close(rocAuc([1, 1, 1], [0, 1, 1]), 0.5);
});

test('the best threshold is the midpoint that classifies most pairs right; accuracy applies it as is', () => {
  // Everything a match: 3/5; above 0.225: 4/5; above 0.375: 3/5; above 0.6: 3/5; nothing: 2/5.
  const best = bestThreshold(scores, labels);
  close(best.threshold, (0.1 + 0.35) / 2);
  close(best.accuracy, 0.8);
  close(accuracyAt(scores, labels, 0.225), 0.8);
  close(accuracyAt(scores, labels, 0.5), 0.6); // only 0.8 called a match
  // Inverted scores: calling all or none a match both give 1/2; the lower candidate wins.
  assert.deepEqual(bestThreshold([1, 2], [1, 0]), { threshold: 0, accuracy: 0.5 });
});

test('pair metrics need both kinds of pair and one label per score', () => {
  assert.throws(() => rocAuc([1, 2], [1, 1]), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
  assert.throws(() => bestThreshold([1, 2], [0, 0]), LensError);
  assert.throws(() => accuracyAt([1, 2], [0], 0), (e: unknown) => e instanceof LensError && e.kind === 'internal');
});
