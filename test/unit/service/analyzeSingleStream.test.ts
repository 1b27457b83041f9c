// The single-stream path (joint graph, token layout, pairs in chunks, ITM head, rollout maps) on a tiny
// synthetic ViLT-like model, checked against plain onnxruntime runs of the untouched graph on hand-computed
// inputs and against a reference rollout written in test/support.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { InferenceService } from '../../../src/inference/service';
import { LensError } from '../../../src/core/errors';
import type { Matrix } from '../../../src/shared/analysisResult';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { writeTinyClip } from '../../support/tinyClip';
import { rolloutRow, softmax } from '../../support/reference';

const colours = [[200, 30, 30], [30, 40, 210], [40, 170, 70]];
// The second text has 7 words: with start and end tokens it exceeds the 8 text slots and is cut.
const texts = ['a red circle', 'a big blue square on the left', ''];
let fusion: TinyFusion;
let work: string;
let service: InferenceService;
let images: string[];

async function uniformImage(name: string, rgb: number[], width: number, height: number): Promise<string> {
  const path = join(work, name);
  await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
  return path;
}

/** Ids and mask of `text` by hand: start, the words (cut to L - 2), end, then pad (the end token) to L. */
function handTokens(model: TinyFusion, text: string): { ids: number[]; mask: number[] } {
  const vocab = (JSON.parse(readFileSync(join(model.dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  const L = model.options.textLength;
  const words = text.split(' ').filter(Boolean).slice(0, L - 2).map((w) => vocab[w] ?? vocab['<unk>']);
  const real = [model.tokenIds.bos, ...words, model.tokenIds.eos];
  return { ids: [...real, ...Array(L - real.length).fill(model.tokenIds.pad)], mask: real.map(() => 1).concat(Array(L - real.length).fill(0)) };
}

/** itm_logits of the untapped graph for a uniform image (every pixel (c/255 - mean)/std) and one text. */
async function referenceLogits(model: TinyFusion, rgb: number[], text: string): Promise<number[]> {
  const pre = JSON.parse(readFileSync(join(model.dir, 'preprocessor_config.json'), 'utf8'));
  const size = model.options.imageSize;
  const pixels = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) pixels.fill((rgb[c] / 255 - pre.image_mean[c]) / pre.image_std[c], c * size * size, (c + 1) * size * size);
  const { ids, mask } = handTokens(model, text);
  const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
  const session = await ort.InferenceSession.create(model.graphBytes());
  const out = await session.run({ input_ids: int64(ids), attention_mask: int64(mask), pixel_values: new ort.Tensor('float32', pixels, [1, 3, size, size]) });
  await session.release();
  return [...(out.itm_logits.data as Float32Array)];
}

/** Rows firstPatch.. of a rollout row, as the 4x4 grid. */
function patchGrid(row: number[], firstPatch: number, side: number): Matrix {
  return Array.from({ length: side }, (_, r) => row.slice(firstPatch + r * side, firstPatch + (r + 1) * side));
}

function assertClose(actual: Matrix, expected: Matrix, tolerance: number, what: string): void {
  expected.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(actual[r][c] - v) < tolerance, `${what}[${r}][${c}] ${actual[r][c]} vs ${v}`)));
}

before(async () => {
  fusion = writeTinyFusion({ imageCls: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-single-'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: fusion.dir });
  images = [await uniformImage('red.png', colours[0], 50, 40), await uniformImage('blue.png', colours[1], 64, 64), await uniformImage('green.png', colours[2], 32, 48)];
});
after(async () => {
  await service.dispose();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

test('itm, log-odds and probabilities equal plain onnxruntime runs; 9 pairs span two chunks', async () => {
  const result = await service.analyze({ images, texts });
  assert.equal(result.model.architecture, 'singleStream');
  for (const [i, rgb] of colours.entries()) {
    const logOdds: number[] = [];
    for (const [j, text] of texts.entries()) {
      const [noMatch, match] = await referenceLogits(fusion, rgb, text);
      const p = Math.exp(match) / (Math.exp(noMatch) + Math.exp(match));
      assert.ok(Math.abs(result.itm![i][j] - p) < 1e-5, `itm[${i}][${j}] ${result.itm![i][j]} vs ${p}`);
      assert.ok(Math.abs(result.similarity[i][j] - (match - noMatch)) < 1e-4, `similarity[${i}][${j}]`);
      logOdds.push(match - noMatch);
    }
    softmax(logOdds, 1).forEach((p, j) => assert.ok(Math.abs(result.probabilities[i][j] - p) < 1e-4, `probabilities[${i}][${j}]`));
  }
  assert.equal(result.logitScale, 1);
  assert.deepEqual(result.texts.map((t) => t.truncated), [false, true, false]);
  assert.deepEqual(result.texts[1].tokens, ['<|startoftext|>', 'a', 'big', 'blue', 'square', 'on', 'the', '<|endoftext|>']);
  assert.ok(result.model.notices.some((n) => n.includes('"a big blue square on the left"') && n.includes('8 text tokens')));
  assert.equal(typeof result.timings.joint, 'number');
});

test('rollout and per-text maps follow the reference rollout of the returned attention; padding is masked', async () => {
  const result = await service.analyze({ images: images.slice(0, 2), texts, includeAttention: true });
  const joint = result.attention!.joint!;
  const L = fusion.options.textLength;
  const side = fusion.options.imageSize / fusion.options.patchSize;
  const firstPatch = L + 1; // after the text slots and the image CLS token
  assert.deepEqual(result.grid, { rows: side, cols: side });
  assert.deepEqual(result.model.tokenLayout, { tokens: L + 1 + side * side, textStart: 0, textEnd: L, imageStart: L, imageTokens: side * side + 1, imageCls: L, firstPatch, itmToken: 0 });
  assert.equal(joint.length, fusion.options.layers);
  assert.equal(joint[0].length, 2 * texts.length);
  // Positions averaged for each text's map: its words, or start and end for the empty text.
  const bodies = [[1, 2, 3], [1, 2, 3, 4, 5, 6], [0, 1]];
  for (let i = 0; i < 2; i++) {
    const itmRows = texts.map((_, j) => rolloutRow(joint.map((layer) => layer[i * texts.length + j]), 0));
    const mean = itmRows[0].map((_, k) => itmRows.reduce((s, row) => s + row[k], 0) / texts.length);
    assertClose(result.maps.rollout[i], patchGrid(mean, firstPatch, side), 1e-5, `rollout[${i}]`);
    bodies.forEach((positions, j) => {
      const rows = positions.map((q) => rolloutRow(joint.map((layer) => layer[i * texts.length + j]), q));
      const map = rows[0].map((_, k) => rows.reduce((s, row) => s + row[k], 0) / rows.length);
      assertClose(result.maps.alignment[i][j], patchGrid(map, firstPatch, side), 1e-5, `alignment[${i}][${j}]`);
    });
  }
  texts.forEach((text, j) => {
    const { mask } = handTokens(fusion, text);
    for (const layer of joint) {
      for (const head of layer[j]) {
        for (const row of head) {
          mask.forEach((m, k) => m === 0 && assert.equal(row[k], 0, `text ${j}: key ${k} is padding`));
          assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
        }
      }
    }
  });
});

test('a one-logit head is read with a sigmoid; without an image CLS the patches start at L', async () => {
  const single = writeTinyFusion({ itmLogits: 1, seed: 3 });
  try {
    const result = await service.analyze({ modelDir: single.dir, images: [images[0]], texts: texts.slice(0, 2), includeAttention: true });
    for (const [j, text] of texts.slice(0, 2).entries()) {
      const [logit] = await referenceLogits(single, colours[0], text);
      assert.ok(Math.abs(result.itm![0][j] - 1 / (1 + Math.exp(-logit))) < 1e-5);
      assert.ok(Math.abs(result.similarity[0][j] - logit) < 1e-4);
    }
    const joint = result.attention!.joint!;
    const L = single.options.textLength;
    assert.equal(result.model.tokenLayout?.imageCls, null);
    const rows = [0, 1].map((j) => rolloutRow(joint.map((layer) => layer[j]), 0));
    const mean = rows[0].map((_, k) => (rows[0][k] + rows[1][k]) / 2);
    assertClose(result.maps.rollout[0], patchGrid(mean, L, 4), 1e-5, 'rollout');
  } finally {
    single.remove();
  }
});

test('inspect lists the joint taps and the token layout', async () => {
  const info = await service.inspect();
  assert.equal(info.model.architecture, 'singleStream');
  assert.deepEqual(info.graphs.map((g) => [g.tower, g.inputs.map((i) => i.name)]), [['joint', ['input_ids', 'attention_mask', 'pixel_values']]]);
  const tokens = 8 + 1 + 16;
  assert.deepEqual(info.taps, [0, 1].map((layer) => ({ tower: 'joint', layer, heads: 4, queries: tokens, keys: tokens })));
  assert.deepEqual(info.grid, { rows: 4, cols: 4, clsIndex: 8, firstPatch: 9 });
  assert.equal(info.tokenLayout?.tokens, tokens);
  assert.match(info.architectureGuess, /^Single-stream \(early concatenation\): 2 joint attention layers over 25 tokens/);
  assert.equal(info.denseProjection.available, false);
});

/** A copy of the fusion folder with `graph` as onnx/model.onnx and config.json changed by `edit`. */
function variant(name: string, graph: string, edit: (config: { token_layout: Record<string, unknown> }) => void = () => {}): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of ['preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(fusion.dir, file), join(dir, file));
  const config = JSON.parse(readFileSync(join(fusion.dir, 'config.json'), 'utf8'));
  edit(config);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  copyFileSync(graph, join(dir, 'onnx', 'model.onnx'));
  return dir;
}

function rejectsModel(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  return assert.rejects(promise, (e: unknown) => e instanceof LensError && e.kind === 'badModel' && pattern.test(e.message));
}

test('a text-only or image-only graph, or a layout that does not fit the graph, is a clear badModel', async () => {
  const clip = writeTinyClip();
  try {
    const textOnly = variant('text-only', join(clip.dir, 'onnx', 'text_model.onnx'));
    const imageOnly = variant('image-only', join(clip.dir, 'onnx', 'vision_model.onnx'));
    const graph = join(fusion.dir, 'onnx', 'model.onnx');
    const wrongImage = variant('wrong-image', graph, (c) => (c.token_layout.image_tokens = 18));
    const wrongText = variant('wrong-text', graph, (c) => Object.assign(c.token_layout, { text_end: 9, image_start: 9, image_cls: 9 }));
    const request = (modelDir: string) => service.analyze({ modelDir, images: [images[0]], texts: ['a red circle'] });
    await rejectsModel(request(textOnly), /model\.onnx: takes token ids but no pixels \(its inputs: input_ids\); a single-stream model takes both/);
    await rejectsModel(request(imageOnly), /model\.onnx: takes pixels but no token ids/);
    await rejectsModel(request(wrongImage), /^config\.json: token_layout describes 26 joint tokens, but the attention in .* is over 25/);
    await rejectsModel(request(wrongText), /^config\.json: token_layout has 9 text slots .* takes 8 token ids/);
  } finally {
    clip.remove();
  }
});
