import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deletionCurve, energyInBox, insertionCurve, pointingGame } from '../../../src/analysis/perturbation/faithfulness';
import type { PatchedImage, ScoreBatch } from '../../../src/analysis/perturbation/perturbation';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

// A 3 x 4 x 4 image of ones on a 2 x 2 grid of 2 x 2 patches, hidden with 0. The fake model weighs each
// patch's pixels by [3, 1, 4, 2], so a present patch adds 12 · weight: [36, 12, 48, 24], 120 in all.
const [C, H, W] = [3, 4, 4];
const image: PatchedImage = { data: new Float32Array(C * H * W).fill(1), height: H, width: W, rows: 2, cols: 2 };
const weights = [3, 1, 4, 2];
const score: ScoreBatch = async (batch, count) => {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < C * H * W; k++) {
      const y = Math.floor(k / W) % H;
      const x = k % W;
      out[i] += weights[2 * Math.floor(y / 2) + Math.floor(x / 2)] * batch[i * C * H * W + k];
    }
  }
  return out;
};
const gray = { kind: 'gray' as const, value: [0, 0, 0] };
const map = new Float32Array([0.3, 0.1, 0.4, 0.2]); // ranks patches 2, 0, 3, 1

/** Trapezoids over the curve, written out independently of the code. */
const area = (fractions: number[], scores: number[]) => fractions.slice(1).reduce((sum, f, k) => sum + (f - fractions[k]) * (scores[k + 1] + scores[k]) / 2, 0);

test('deletion removes the top-ranked patches first: 120, 72, 36, 12, 0', async () => {
  const curve = await deletionCurve(image, map, gray, score);
  assertClose(curve.fractions, [0, 0.25, 0.5, 0.75, 1]);
  assertClose(curve.scores, [120, 72, 36, 12, 0], 1e-4);
  assert.ok(Math.abs(curve.auc - 45) < 1e-4); // 0.25 · (96 + 54 + 24 + 6)
  assert.ok(Math.abs(curve.auc - area([0, 0.25, 0.5, 0.75, 1], [120, 72, 36, 12, 0])) < 1e-4);
  assert.equal(curve.original, 120);
  assert.equal(curve.forwardPasses, 5);
});

test('insertion starts from the hidden image and restores the top patches first: 0, 48, 84, 108, 120', async () => {
  const curve = await insertionCurve(image, map, gray, score, { batchSize: 2 });
  assertClose(curve.scores, [0, 48, 84, 108, 120], 1e-4);
  assert.ok(Math.abs(curve.auc - 75) < 1e-4); // 0.25 · (24 + 66 + 96 + 114)
  assert.equal(curve.original, 120);
});

test('normalised curves divide by the unperturbed score; a step of 3 gives fractions 0, 3/4, 1', async () => {
  const normalised = await deletionCurve(image, map, gray, score, { normalise: true });
  assertClose(normalised.scores, [1, 0.6, 0.3, 0.1, 0], 1e-6);
  assert.ok(Math.abs(normalised.auc - 45 / 120) < 1e-6);
  assert.equal(normalised.normalised, true);
  const stepped = await deletionCurve(image, map, gray, score, { step: 3 });
  assertClose(stepped.fractions, [0, 0.75, 1]);
  assertClose(stepped.scores, [120, 12, 0], 1e-4);
  assert.ok(Math.abs(stepped.auc - 51) < 1e-4); // 0.75 · 66 + 0.25 · 6
});

test('equal map values keep row-major order', async () => {
  const curve = await deletionCurve(image, new Float32Array(4).fill(1), gray, score);
  assertClose(curve.scores, [120, 84, 72, 24, 0], 1e-4);
});

test('curves refuse a bad step, a map of the wrong size, and normalising by a zero score', async () => {
  const kind = (k: string) => (e: unknown) => e instanceof LensError && e.kind === k;
  await assert.rejects(deletionCurve(image, map, gray, score, { step: 0 }), kind('badInput'));
  await assert.rejects(deletionCurve(image, new Float32Array(3), gray, score), kind('internal'));
  await assert.rejects(deletionCurve(image, new Float32Array([NaN, 0, 0, 0]), gray, score), kind('internal'));
  const zero: ScoreBatch = async (_, count) => new Float32Array(count);
  await assert.rejects(insertionCurve(image, map, gray, zero, { normalise: true }), kind('badInput'));
});

test('pointing game: a hit needs every tied maximum on the target', () => {
  const tied = new Float32Array([0, 1, 5, 2, 5, 0]); // 2 x 3, maxima at (0, 2) and (1, 1)
  assert.equal(pointingGame(tied, 2, 3, (r, c) => (r === 0 && c === 2) || (r === 1 && c === 1)), true);
  assert.equal(pointingGame(tied, 2, 3, (r, c) => r === 0 && c === 2), false);
  assert.equal(pointingGame(new Float32Array([0, 1, 7, 2, 5, 0]), 2, 3, (r, c) => r === 0 && c === 2), true);
  assert.equal(pointingGame(new Float32Array([0, 1, 7, 2, 5, 0]), 2, 3, (r) => r === 1), false);
});

test('energy in box: positive mass weighted by the covered share of each patch', () => {
  // Positive values 2, 3, 1 (the -1 is left out) covered 1, 0.5, 0: (2 + 1.5) / 6.
  const inside = [1, 1, 0.5, 0];
  const share = energyInBox(new Float32Array([2, -1, 3, 1]), 2, 2, (r, c) => inside[2 * r + c]);
  assert.ok(Math.abs(share - 3.5 / 6) < 1e-12);
  assert.equal(energyInBox(new Float32Array([-1, 0, -2, 0]), 2, 2, () => 1), 0);
  assert.throws(() => energyInBox(new Float32Array([1, 1, 1, 1]), 2, 2, () => 1.5), LensError);
});
