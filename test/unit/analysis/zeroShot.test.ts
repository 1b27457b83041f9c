import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPrompts, ensembleEmbeddings, zeroShotScores } from '../../../src/analysis/zeroShot';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

const badInput = (e: unknown) => e instanceof LensError && e.kind === 'badInput';
const internal = (e: unknown) => e instanceof LensError && e.kind === 'internal';

test('buildPrompts puts every label in every template, label-major', () => {
  assert.deepEqual(buildPrompts(['cat', 'red car'], ['a {label}', '{label} or {label}?']), [
    { text: 'a cat', label: 0, template: 0 },
    { text: 'cat or cat?', label: 0, template: 1 },
    { text: 'a red car', label: 1, template: 0 },
    { text: 'red car or red car?', label: 1, template: 1 },
  ]);
  assert.deepEqual(buildPrompts(['dog']), [{ text: 'a photo of a dog.', label: 0, template: 0 }]);
  // A label is inserted literally, not read as a replacement pattern.
  assert.equal(buildPrompts(['$& $1'], ['x {label}'])[0].text, 'x $& $1');
});

test('buildPrompts rejects empty labels and templates without a placeholder as bad input with a fix', () => {
  assert.throws(() => buildPrompts([]), badInput);
  assert.throws(() => buildPrompts(['cat', ' ']), (e: unknown) => badInput(e) && (e as LensError).message.includes('Label 2 of 2'));
  assert.throws(() => buildPrompts(['cat'], []), badInput);
  assert.throws(
    () => buildPrompts(['cat'], ['a {label}', 'a photo of a {Label}']),
    (e: unknown) => badInput(e) && (e as LensError).message.includes('"a photo of a {Label}"') && (e as LensError).fix !== undefined,
  );
});

test('ensembling normalises each prompt before averaging, then normalises the mean', () => {
  // Label 0: (2,0) and (0,3) → (1,0) and (0,1) → mean (½,½) → (1,1)/√2; averaging raw would give (2,3)/√13.
  // Label 1: (3,4) twice → (0.6, 0.8). Label 2: (0,−1) and (0,5) cancel → zero vector.
  const prompts = new Float32Array([2, 0, 0, 3, 3, 4, 3, 4, 0, -1, 0, 5]);
  assertClose(ensembleEmbeddings(prompts, 3, 2, 2), [Math.SQRT1_2, Math.SQRT1_2, 0.6, 0.8, 0, 0], 1e-6);
});

test('ensembleEmbeddings rejects a wrong number of prompt embeddings', () => {
  assert.throws(() => ensembleEmbeddings(new Float32Array(10), 3, 2, 2), internal);
  assert.throws(() => ensembleEmbeddings(new Float32Array(0), 0, 2, 2), internal);
});

/** Softmax of scale · values, written out directly. */
function softmax(values: number[], scale: number): number[] {
  const e = values.map((v) => Math.exp(scale * v));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

test('zero-shot probabilities are the softmax of the scaled cosines, with the top-k in order', () => {
  // Labels (1,0), (0,1), (1,1)/√2; images (2,0) and (0,−1).
  const labels = new Float32Array([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2]);
  const images = new Float32Array([2, 0, 0, -1]);
  const result = zeroShotScores(images, labels, 2, 10, 2);
  const p0 = softmax([1, 0, Math.SQRT1_2], 10);
  const p1 = softmax([0, -1, -Math.SQRT1_2], 10);
  assertClose(result.cosine, [1, 0, Math.SQRT1_2, 0, -1, -Math.SQRT1_2], 1e-6);
  assertClose(result.probabilities, [...p0, ...p1], 1e-6);
  assert.deepEqual(result.top.map((hits) => hits.map((h) => h.label)), [[0, 2], [0, 2]]);
  assertClose(result.top[0].map((h) => h.probability), [p0[0], p0[2]], 1e-6);
  assertClose(result.top[1].map((h) => h.probability), [p1[0], p1[2]], 1e-6);
});

test('top-k breaks ties by label index and stops at the number of labels', () => {
  // Image (1,1) is equally close to labels 1 and 2, and opposite to label 0.
  const labels = new Float32Array([-1, 0, 1, 0, 0, 1]);
  const result = zeroShotScores(new Float32Array([1, 1]), labels, 2, 1, 5);
  assert.deepEqual(result.top[0].map((h) => h.label), [1, 2, 0]);
  const p = softmax([-Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2], 1);
  assertClose(result.top[0].map((h) => h.probability), [p[1], p[2], p[0]], 1e-6);
});

test('zeroShotScores rejects a top-k below 1 as bad input and mismatched shapes as internal', () => {
  const labels = new Float32Array([1, 0, 0, 1]);
  assert.throws(() => zeroShotScores(new Float32Array([1, 0]), labels, 2, 100, 0), badInput);
  assert.throws(() => zeroShotScores(new Float32Array([1, 0]), labels, 2, 100, 1.5), badInput);
  assert.throws(() => zeroShotScores(new Float32Array([1, 0, 1]), labels, 2, 100, 1), internal);
  assert.throws(() => zeroShotScores(new Float32Array([]), labels, 2, 100, 1), internal);
  assert.throws(() => zeroShotScores(new Float32Array([1, 0]), labels, 2, NaN, 1), internal);
});
