// The synthetic CLIP generator: taps in every layer of both towers, probabilities that are distributions,
// causal text attention, pooling at the first end token, and the Hugging Face side files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { appendToModel } from '../../../src/inference/onnx/surgery';
import type { OnnxGraph } from '../../../src/inference/onnx/onnxTypes';
import { demoWords } from '../../../tools/models/syntheticClip';
import { testPixels, writeTinyClip } from '../../support/tinyClip';

const realTokenizer = resolve(__dirname, '..', '..', 'fixtures', 'clip-vit-base-patch32-tokenizer');

/** True when `later` is computed from `earlier` (walks producers; independent of the tap code's ordering). */
function dependsOn(graph: OnnxGraph, later: string, earlier: string): boolean {
  const producers = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const seen = new Set<string>();
  const stack = [later];
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (tensor === earlier) return true;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    stack.push(...(producers.get(tensor)?.inputs ?? []));
  }
  return false;
}

/** Rows of the last axis; each must sum to 1. */
function rows(tensor: ort.Tensor): Float32Array[] {
  const n = tensor.dims[tensor.dims.length - 1];
  const data = tensor.data as Float32Array;
  return Array.from({ length: data.length / n }, (_, r) => data.subarray(r * n, (r + 1) * n));
}

async function runTapped(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<{ taps: ort.Tensor[]; out: ort.InferenceSession.ReturnType }> {
  const { taps } = findAttentionTaps(decodeGraphStructure(bytes));
  const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: taps.map((t) => t.tensor) }));
  const out = await session.run(feeds);
  await session.release();
  return { taps: taps.map((t) => out[t.tensor]), out };
}

const wordId = (word: string) => 3 + demoWords.indexOf(word);
const ids = (rowsOfIds: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rowsOfIds.flat(), BigInt), [rowsOfIds.length, rowsOfIds[0].length]);

for (const layout of ['4d', '3d'] as const) {
  test(`${layout}: one tap per layer in each tower, in layer order`, async () => {
    const clip = writeTinyClip({ attentionLayout: layout, layers: 3, textLayers: 2 });
    try {
      for (const [tower, layers] of [['vision', 3], ['text', 2]] as const) {
        const graph = decodeGraphStructure(clip.towerBytes(tower));
        const { taps, fusedOperators } = findAttentionTaps(graph);
        assert.equal(taps.length, layers);
        assert.deepEqual(fusedOperators, []);
        assert.deepEqual(taps.map((t) => t.layer), [...Array(layers).keys()]);
        for (let i = 1; i < layers; i++) assert.ok(dependsOn(graph, taps[i].tensor, taps[i - 1].tensor), `${tower} layer ${i}`);
        // The file's node order must not matter: layers follow the data flow.
        const shuffled = findAttentionTaps({ ...graph, nodes: [...graph.nodes].reverse() }).taps;
        assert.deepEqual(shuffled.map((t) => t.tensor), taps.map((t) => t.tensor));
      }
      const size = clip.options.imageSize;
      const vision = await runTapped(clip.towerBytes('vision'), { pixel_values: new ort.Tensor('float32', testPixels(2, size), [2, 3, size, size]) });
      const t = clip.visionTokens;
      for (const probs of vision.taps) {
        assert.deepEqual(probs.dims, layout === '4d' ? [2, clip.options.heads, t, t] : [2 * clip.options.heads, t, t]);
        for (const row of rows(probs)) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      }
    } finally {
      clip.remove();
    }
  });
}

test('text attention is causal and padding after the end token changes nothing', async () => {
  const clip = writeTinyClip({ attentionLayout: '3d' });
  try {
    const bytes = clip.towerBytes('text');
    const sentence = [0, ...['a', 'photo', 'of', 'cat'].map(wordId), 1];
    const alone = await runTapped(bytes, { input_ids: ids([sentence]) });
    const padded = await runTapped(bytes, { input_ids: ids([[...sentence, 1, 1], [0, wordId('red'), wordId('circle'), 1, 1, 1, 1, 1]]) });
    for (const probs of [...alone.taps, ...padded.taps]) {
      const rowsOfProbs = rows(probs);
      rowsOfProbs.forEach((row, r) => {
        const query = r % probs.dims[probs.dims.length - 2];
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        for (let key = query + 1; key < row.length; key++) assert.equal(row[key], 0, `query ${query} sees key ${key}`);
      });
    }
    const width = clip.options.projectionDim;
    const first = (padded.out.text_embeds.data as Float32Array).subarray(0, width);
    const expected = alone.out.text_embeds.data as Float32Array;
    first.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `text_embeds[${i}]`));
    const second = (padded.out.text_embeds.data as Float32Array).subarray(width);
    assert.ok(second.some((v, i) => Math.abs(v - first[i]) > 1e-3), 'different sentences give different embeddings');
  } finally {
    clip.remove();
  }
});

test('the word-level tokenizer and configs follow the Hugging Face formats', () => {
  const clip = writeTinyClip();
  try {
    const read = (name: string) => JSON.parse(readFileSync(join(clip.dir, name), 'utf8'));
    const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
    assert.deepEqual(tokenizer.encode('A  Photo of a Zebra').ids, [0, wordId('a'), wordId('photo'), wordId('of'), wordId('a'), 2, 1]);
    const config = read('config.json');
    assert.equal(config.model_type, 'clip');
    assert.equal(config.logit_scale, 100);
    assert.deepEqual([config.vision_config.image_size, config.vision_config.patch_size], [32, 8]);
    assert.deepEqual([config.text_config.bos_token_id, config.text_config.eos_token_id, config.text_config.vocab_size], [0, 1, demoWords.length + 3]);
    const preprocessor = read('preprocessor_config.json');
    assert.deepEqual(preprocessor.crop_size, { height: 32, width: 32 });
    assert.equal(preprocessor.rescale_factor, 1 / 255);
    assert.equal(read('tokenizer_config.json').model_max_length, 16);
  } finally {
    clip.remove();
  }
});

test('with the real CLIP tokenizer copied, text pools at the end token (the largest id)', async () => {
  const clip = writeTinyClip({ tokenizer: { copyFrom: realTokenizer } });
  try {
    assert.deepEqual([clip.tokenIds.bos, clip.tokenIds.eos, clip.options.vocabSize], [49406, 49407, 49408]);
    const bytes = clip.towerBytes('text');
    const sentence = [49406, 320, 1125, 539, 320, 2368, 49407];
    const alone = await runTapped(bytes, { input_ids: ids([sentence]) });
    const padded = await runTapped(bytes, { input_ids: ids([[...sentence, 49407, 49407]]) });
    const [a, b] = [alone.out.text_embeds.data as Float32Array, padded.out.text_embeds.data as Float32Array];
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `text_embeds[${i}]`));
    assert.ok(existsSync(join(clip.dir, 'tokenizer.json')));
  } finally {
    clip.remove();
  }
});
