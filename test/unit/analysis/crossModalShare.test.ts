import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossModalShare, meanShare, shareZScores, zScores } from '../../../src/analysis/attention/crossModalShare';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

// Five tokens: 0 a joint CLS (in neither range), text 1..2 with token 2 padding, image 3..4. One head.
const layout = { textStart: 1, textEnd: 3, imageStart: 3, imageTokens: 2 };
const mask = [1, 0];
const layer0 = new Float32Array([
  [0.2, 0.2, 0.2, 0.2, 0.2], // CLS: not a query of any measure
  [0.1, 0.2, 0.1, 0.4, 0.2], // real text: image mass 0.6, real-text mass 0.2
  [0.9, 0.1, 0, 0, 0], // padding: not a query
  [0.1, 0.3, 0.1, 0.25, 0.25], // image: real-text mass 0.3, image mass 0.5
  [0, 0.1, 0.2, 0.3, 0.4], // image: real-text mass 0.1, image mass 0.7
].flat());
const layer1 = new Float32Array(25).fill(0.2); // text: image 0.4, text 0.2; image: text 0.2, image 0.4

test('cross-modal share of a hand-made one-head attention', () => {
  const share = crossModalShare([layer0, layer1], 1, 5, layout, mask);
  assert.equal(share.layers, 2);
  assert.equal(share.heads, 1);
  assertClose(share.textToImage, [0.6, 0.4]);
  assertClose(share.imageToText, [(0.3 + 0.1) / 2, 0.2]);
  assertClose(share.withinModality, [(0.2 + 0.5 + 0.7) / 3, (0.2 + 0.4 + 0.4) / 3]);
});

test('padding text keys are left out, real ones counted, when the mask says so', () => {
  const share = crossModalShare([layer0], 1, 5, layout, [1, 1]);
  // Text queries 1 and 2: image mass 0.6 and 0; image queries now also count key 2: 0.4 and 0.3.
  assertClose(share.textToImage, [0.3]);
  assertClose(share.imageToText, [(0.4 + 0.3) / 2]);
  assertClose(share.withinModality, [(0.3 + 0.1 + 0.5 + 0.7) / 4]);
});

test('meanShare averages items elementwise, and zScores use the population std', () => {
  const a = crossModalShare([layer0, layer1], 1, 5, layout, mask);
  const b = crossModalShare([layer1, layer1], 1, 5, layout, mask);
  const mean = meanShare([a, b]);
  assertClose(mean.textToImage, [0.5, 0.4]);
  assertClose(mean.imageToText, [0.2, 0.2]);
  // mean 2.5, population variance 1.25
  const s = Math.sqrt(1.25);
  assertClose(zScores([1, 2, 3, 4]), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-6);
  const z = shareZScores(a);
  assertClose(z.textToImage, [1, -1], 1e-6);
  assertClose(z.imageToText, [0, 0]); // both 0.2: no spread, so 0 rather than NaN
  assertClose(z.withinModality, [1, -1], 1e-6);
});

test('cross-modal share rejects layouts that do not fit and a mask with no real token', () => {
  assert.throws(() => crossModalShare([layer0], 1, 5, { ...layout, imageTokens: 3 }, mask), LensError);
  assert.throws(() => crossModalShare([layer0], 1, 5, layout, [0, 0]), LensError);
  assert.throws(() => crossModalShare([layer0], 1, 5, layout, [1]), LensError);
  assert.throws(() => crossModalShare([layer0], 2, 5, layout, mask), LensError);
  assert.throws(() => meanShare([]), LensError);
});
