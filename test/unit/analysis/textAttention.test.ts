import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textToImageAttention, textTokenAttention } from '../../../src/analysis/attention/textAttention';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

const isKind = (kind: string) => (e: unknown) => e instanceof LensError && e.kind === kind;

// A causal text layer, L = 4 with the last token padding. Head 0 spreads evenly over the visible tokens,
// head 1 looks only at itself.
const third = 1 / 3;
const causalLayer = new Float32Array([
  1, 0, 0, 0, 0.5, 0.5, 0, 0, third, third, third, 0, 0.25, 0.25, 0.25, 0.25,
  1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,
]);
const upperTriangle = [0, 1, 1, 0, 0, 1, 0, 0, 0];

test('a causal layer is detected, cut to the real tokens, and its upper triangle marked masked', () => {
  const mean = textTokenAttention(causalLayer, 2, 4, 3);
  assert.equal(mean.causal, true);
  assert.equal(mean.n, 3);
  assert.deepEqual(Array.from(mean.masked), upperTriangle);
  assertClose(mean.values, [1, 0, 0, 0.25, 0.75, 0, 1 / 6, 1 / 6, 2 / 3]);
  assertClose(mean.paddingMass, [0, 0, 0]);
  assertClose(textTokenAttention(causalLayer, 2, 4, 3, 'max').values, [1, 0, 0, 0.5, 1, 0, third, third, 1]);
  assertClose(textTokenAttention(causalLayer, 2, 4, 3, 1).values, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
});

test('one non-zero weight above the diagonal, even on a padding key, makes the layer non-causal', () => {
  const layer = causalLayer.slice();
  layer[16 + 0] = 0.9; // head 1, query 0: 0.9 on itself and 0.1 on the padding key 3
  layer[16 + 3] = 0.1;
  const result = textTokenAttention(layer, 2, 4, 3, 1);
  assert.equal(result.causal, false);
  assert.deepEqual(Array.from(result.masked), new Array(9).fill(0));
  assertClose(result.values, [0.9, 0, 0, 0, 1, 0, 0, 0, 1]);
  assertClose(result.paddingMass, [0.1, 0, 0]);
});

test('a bidirectional layer attending to padding keeps every real cell and reports the padding mass', () => {
  const layer = new Float32Array(16).fill(0.25);
  const result = textTokenAttention(layer, 1, 4, 2);
  assert.equal(result.causal, false);
  assertClose(result.values, [0.25, 0.25, 0.25, 0.25]);
  assertClose(result.paddingMass, [0.5, 0.5]);
});

test('textTokenAttention rejects a missing head as bad input and a wrong length as internal', () => {
  assert.throws(() => textTokenAttention(causalLayer, 2, 4, 3, 2), isKind('badInput'));
  assert.throws(() => textTokenAttention(causalLayer, 2, 4, 3, 0.5), isKind('badInput'));
  assert.throws(() => textTokenAttention(causalLayer, 2, 4, 3, 'min' as 'max'), isKind('badInput'));
  assert.throws(() => textTokenAttention(causalLayer, 2, 4, 0), isKind('internal'));
  assert.throws(() => textTokenAttention(causalLayer, 2, 4, 5), isKind('internal'));
  assert.throws(() => textTokenAttention(causalLayer.subarray(1), 2, 4, 3), isKind('internal'));
});

// Joint sequence of 8: text 0..2 (token 2 padding), image CLS at 3, a 2x2 patch grid at 4..7.
const layout = { textStart: 0, textEnd: 3, imageStart: 3, firstPatch: 4, rows: 2, cols: 2 };
function jointLayer(rows: Record<number, number[]>[]): Float32Array {
  const out = new Float32Array(rows.length * 64);
  rows.forEach((head, h) => Object.entries(head).forEach(([q, row]) => out.set(row, h * 64 + Number(q) * 8)));
  return out;
}
const joint = jointLayer([
  { 0: [0.2, 0, 0, 0.2, 0.1, 0.2, 0.3, 0], 1: [0, 0.5, 0, 0, 0.5, 0, 0, 0] },
  { 0: [0, 0, 0, 0, 0, 0, 0, 1], 1: [1, 0, 0, 0, 0, 0, 0, 0] },
]);

test('text-to-image maps take each real text row over the patches, with the image mass including image CLS', () => {
  const mean = textToImageAttention(joint, 2, 8, layout, 2);
  assert.equal(mean.n, 2);
  assertClose(mean.maps, [0.05, 0.1, 0.15, 0.5, 0.25, 0, 0, 0]);
  assertClose(mean.imageMass, [0.9, 0.25]);
  const head1 = textToImageAttention(joint, 2, 8, layout, 2, 1);
  assertClose(head1.maps, [0, 0, 0, 1, 0, 0, 0, 0]);
  assertClose(head1.imageMass, [1, 0]);
});

test('text-to-image maps follow the layout when the image comes first', () => {
  // Image 0..3 without CLS, text 4..5; text token 1 (row 5) looks at patch (1,0).
  const layer = jointLayer([{ 4: [0.5, 0, 0, 0, 0.5, 0, 0, 0], 5: [0, 0, 1, 0, 0, 0, 0, 0] }]);
  const result = textToImageAttention(layer, 1, 8, { textStart: 4, textEnd: 6, imageStart: 0, firstPatch: 0, rows: 2, cols: 2 }, 2);
  assertClose(result.maps, [0.5, 0, 0, 0, 0, 0, 1, 0]);
  assertClose(result.imageMass, [0.5, 1]);
});

test('textToImageAttention rejects layouts and lengths that do not fit', () => {
  assert.throws(() => textToImageAttention(joint, 2, 8, { ...layout, firstPatch: 5 }, 2), isKind('internal'));
  assert.throws(() => textToImageAttention(joint, 2, 8, { ...layout, textEnd: 0 }, 1), isKind('internal'));
  assert.throws(() => textToImageAttention(joint, 2, 8, layout, 4), isKind('internal'));
  assert.throws(() => textToImageAttention(joint, 2, 8, layout, 2, -1), isKind('badInput'));
});
