import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { causalCurve, gaussianKernel1d, petsiukAuc, petsiukBlur, pixelSaliency } from '../../../src/analysis/perturbation/causalMetric';
import type { PatchedImage, ScoreBatch } from '../../../src/analysis/perturbation/perturbation';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

// tools/fixtures/petsiukCurves.py: the RISE authors' CausalMetric run with torch, scipy and numpy on the formulas below.
const reference = JSON.parse(readFileSync('test/fixtures/petsiuk-curves/reference.json', 'utf8')) as {
  kernel1d: number[];
  kernel2dRow5: number[];
  blurred: number[];
  saliency: number[];
  deletion: number[];
  insertion: number[];
  deletionAuc: number;
  insertionAuc: number;
  step: number;
};

const [C, H, W, ROWS, COLS, CLASSES, TARGET] = [3, 16, 16, 4, 4, 3, 1];
const N = C * H * W;
const image: PatchedImage = { data: Float32Array.from({ length: N }, (_, i) => Math.sin(0.7 * i) + 0.3 * Math.cos(1.3 * i)), height: H, width: W, rows: ROWS, cols: COLS };
const map = Float32Array.from({ length: ROWS * COLS }, (_, p) => ((p * 7) % 16) / 16 + 0.01 * Math.sin(p));
const weights = Array.from({ length: CLASSES }, (_, k) => Array.from({ length: N }, (_, i) => 0.5 * Math.sin(0.05 * (i + 1) * (k + 1))));

/** The fixture's classifier: softmax of a linear map of the flattened image, the probability of class 1. */
const softmaxScore: ScoreBatch = async (batch, count) =>
  Float32Array.from({ length: count }, (_, b) => {
    const logits = weights.map((w) => w.reduce((sum, v, i) => sum + v * batch[b * N + i], 0));
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    return e[TARGET] / e.reduce((a, v) => a + v, 0);
  });

test("the blur kernel is scipy's gaussian_filter of a delta (gkern(11, 5)), reflected edges and all", () => {
  const k = gaussianKernel1d();
  assertClose(k, reference.kernel1d, 1e-12);
  assertClose(Array.from(k, (v) => v * k[5]), reference.kernel2dRow5, 1e-12);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test("the insertion canvas is torch's conv2d of the image with the kernel, zero padding", () => {
  assertClose(petsiukBlur(image), reference.blurred, 1e-5);
});

test("the patch map is resized to the pixels as torch's bilinear interpolate (align_corners=False)", () => {
  assertClose(pixelSaliency(map, image), reference.saliency, 1e-6);
});

test('deletion and insertion follow the authors\' CausalMetric step by step, with their AUC', async () => {
  const deletion = await causalCurve('deletion', image, map, softmaxScore);
  const insertion = await causalCurve('insertion', image, map, softmaxScore);
  assert.equal(reference.step, W);
  assertClose(deletion.scores, reference.deletion, 1e-5);
  assertClose(insertion.scores, reference.insertion, 1e-5);
  assert.ok(Math.abs(deletion.auc - reference.deletionAuc) < 1e-5);
  assert.ok(Math.abs(insertion.auc - reference.insertionAuc) < 1e-5);
  assert.equal(deletion.forwardPasses, H + 1);
});

test('the AUC is the trapezoid over equal steps, worked by hand', () => {
  // (1 + 0.5 + 0.25 + 0) - 1/2 - 0/2 = 1.25, over 3 steps.
  assert.ok(Math.abs(petsiukAuc([1, 0.5, 0.25, 0]) - 1.25 / 3) < 1e-12);
});

test('deletion ends on the all-zero image and insertion on the image itself, whatever the map', async () => {
  const seen: Float32Array[] = [];
  const record: ScoreBatch = async (batch, count) => {
    for (let b = 0; b < count; b++) seen.push(batch.slice(b * N, (b + 1) * N));
    return new Float32Array(count);
  };
  await causalCurve('deletion', image, map, record, { step: 100 });
  assert.equal(seen.length, Math.ceil((H * W) / 100) + 1);
  assertClose(seen[0], image.data, 0);
  assert.ok(seen.at(-1)!.every((v) => v === 0));
  seen.length = 0;
  await causalCurve('insertion', image, map, record, { step: 100 });
  assertClose(seen.at(-1)!, image.data, 0);
});

test('a step that is not a positive whole number of pixels is refused', async () => {
  await assert.rejects(causalCurve('deletion', image, map, softmaxScore, { step: 0 }), LensError);
});
