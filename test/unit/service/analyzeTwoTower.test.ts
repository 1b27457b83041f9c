// The whole two-tower path (folder, preprocessing, tokenizer, tapped sessions, analysis) on a tiny synthetic
// CLIP, checked against plain onnxruntime runs of the untouched graphs on hand-computed inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { InferenceService } from '../../../src/inference/service';
import { LensError } from '../../../src/core/errors';
import { plainImageEmbeds, plainTextEmbeds, uniformPixels, writeTinyClip } from '../../support/tinyClip';
import { useTinyClipService } from '../../support/tinyClipService';
import { cosine, rolloutRow, softmax } from '../../support/reference';

const red = [200, 30, 30];
const blue = [30, 40, 210];
const texts = ['a red circle', 'a big blue square on the left'];

async function uniformImage(name: string, rgb: number[], width: number, height: number): Promise<string> {
  const path = join(run.work, name);
  await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
  return path;
}

const run = useTinyClipService('mmlens-service-');
const referenceImageEmbeds = (rgb: number[]) => plainImageEmbeds(run.clip, uniformPixels(run.clip, rgb));
const referenceTextEmbeds = (text: string) => plainTextEmbeds(run.clip, text);


test('similarity and probabilities equal plain onnxruntime runs on hand-made inputs', async () => {
  const images = [await uniformImage('red.png', red, 50, 40), await uniformImage('blue.png', blue, 64, 64)];
  const result = await run.service.analyze({ images, texts });
  const imageEmbeds = [await referenceImageEmbeds(red), await referenceImageEmbeds(blue)];
  const textEmbeds = await Promise.all(texts.map(referenceTextEmbeds));
  imageEmbeds.forEach((image, i) => {
    const expected = textEmbeds.map((t) => cosine(image, t));
    expected.forEach((e, j) => assert.ok(Math.abs(result.similarity[i][j] - e) < 1e-4, `similarity[${i}][${j}] ${result.similarity[i][j]} vs ${e}`));
    softmax(expected, run.clip.options.logitScale).forEach((p, j) => assert.ok(Math.abs(result.probabilities[i][j] - p) < 1e-3));
  });
  assert.deepEqual(result.images.map((i) => [i.width, i.height]), [[50, 40], [64, 64]]);
  assert.deepEqual(result.texts[0].tokens, ['<|startoftext|>', 'a', 'red', 'circle', '<|endoftext|>']);
  assert.equal(result.model.executionProvider, 'cpu');
  assert.equal(result.logitScale, run.clip.options.logitScale);
});

test('rollout follows the formula on the returned attention; text attention is causal', async () => {
  const image = await uniformImage('rollout.png', [90, 160, 40], 48, 48);
  const result = await run.service.analyze({ images: [image], texts, includeAttention: true });
  const vision = result.attention!.vision!;
  assert.equal(vision.length, run.clip.options.layers);
  const row = rolloutRow(vision.map((layer) => layer[0]), 0);
  const side = run.clip.options.imageSize / run.clip.options.patchSize;
  assert.deepEqual(result.grid, { rows: side, cols: side });
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) assert.ok(Math.abs(result.maps.rollout[0][r][c] - row[1 + r * side + c]) < 1e-5);
  }
  const text = result.attention!.text!;
  for (const layer of text) {
    for (const head of layer[1]) head.forEach((q, i) => q.forEach((v, j) => j > i && assert.equal(v, 0)));
  }
  assert.equal(result.maps.alignment[0].length, texts.length);
  assert.ok(result.maps.alignment[0][1].flat().every((v) => v >= -1 && v <= 1));
});

test('many images run in chunks and give the same scores as one at a time', async () => {
  const colours = Array.from({ length: 11 }, (_, i) => [20 * i, 255 - 20 * i, 100]);
  const images = await Promise.all(colours.map((rgb, i) => uniformImage(`many-${i}.png`, rgb, 32, 32)));
  const batched = await run.service.analyze({ images, texts: [texts[0]] });
  const text = await referenceTextEmbeds(texts[0]);
  for (const [i, rgb] of colours.entries()) {
    assert.ok(Math.abs(batched.similarity[i][0] - cosine(await referenceImageEmbeds(rgb), text)) < 1e-4, `image ${i}`);
  }
});

test('a model with fused attention still scores, and says attention is not observable', async () => {
  const fused = writeTinyClip({ fusedAttention: true });
  try {
    const image = await uniformImage('fused.png', red, 40, 40);
    const result = await run.service.analyze({ modelDir: fused.dir, images: [image], texts });
    assert.equal(result.attentionObservable, false);
    assert.deepEqual(result.maps.rollout, []);
    assert.ok(result.model.notices.some((n) => n.includes('not observable') && n.includes('MultiHeadAttention')));
    const expected = cosine(await referenceImageEmbeds(red), await referenceTextEmbeds(texts[0]));
    assert.ok(Math.abs(result.similarity[0][0] - expected) < 1e-4);
  } finally {
    fused.remove();
  }
});

test('a [batch*heads, q, k] attention layout is reshaped to [item][head][q][k]', async () => {
  const flat = writeTinyClip({ attentionLayout: '3d' });
  try {
    const images = [await uniformImage('3d-a.png', red, 32, 32), await uniformImage('3d-b.png', blue, 32, 32)];
    const result = await run.service.analyze({ modelDir: flat.dir, images, texts, includeAttention: true });
    const layer = result.attention!.vision![0];
    assert.equal(layer.length, 2);
    assert.equal(layer[0].length, flat.options.heads);
    assert.equal(layer[0][0].length, flat.visionTokens);
    for (const row of layer[1][3]) assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  } finally {
    flat.remove();
  }
});

test('bad inputs are user errors that name the problem', async () => {
  await assert.rejects(run.service.analyze({ images: [join(run.work, 'missing.png')], texts }), (e: unknown) => e instanceof LensError && e.kind === 'badInput' && e.message.includes('missing.png'));
  await assert.rejects(run.service.analyze({ images: [], texts }), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
  await assert.rejects(run.service.analyze({ modelDir: run.work, images: [join(run.work, 'red.png')], texts }), (e: unknown) => e instanceof LensError && e.kind === 'badModel' && e.message.includes('config.json'));
});

test('a GPU provider that cannot start falls back to cpu with exactly one notice', async () => {
  const gpu = new InferenceService({ executionProvider: 'webgpu', defaultModelDir: run.clip.dir });
  try {
    const image = await uniformImage('gpu.png', red, 32, 32);
    const first = await gpu.analyze({ images: [image], texts });
    const second = await gpu.analyze({ images: [image, image], texts });
    const notices = second.model.notices.filter((n) => n.includes('webgpu'));
    if (first.model.executionProvider === 'webgpu') assert.deepEqual(notices, []);
    else {
      assert.equal(first.model.executionProvider, 'cpu');
      assert.equal(notices.length, 1);
      assert.match(notices[0], /running on cpu instead/);
    }
  } finally {
    await gpu.dispose();
  }
});
