// The synthetic SigLIP generator (the benchmark's SigLIP-So400m@384 at test size): one tap per encoder layer and
// the attention-pooling head apart from them, bidirectional text attention, and a folder the product reads as
// SigLIP (sigmoid scores with the config's scale and bias, the pooling head's map over every patch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { appendToModel } from '../../../src/inference/onnx/surgery';
import { InferenceService } from '../../../src/inference/service';
import { syntheticClipPresets } from '../../../tools/models/syntheticClip';
import { testPixels, writeTinyClip } from '../../support/tinyClip';

const options = { ...syntheticClipPresets['tiny-siglip'], layers: 3, textLayers: 2 };

async function tapped(bytes: Uint8Array, tensors: string[], feeds: Record<string, ort.Tensor>): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: tensors }));
  try {
    const out = await session.run(feeds);
    return tensors.map((name) => out[name]);
  } finally {
    await session.release();
  }
}

test('vision: a tap per layer, the pooling head found apart, its probe attending over every patch', async () => {
  const siglip = writeTinyClip(options);
  try {
    const bytes = siglip.towerBytes('vision');
    const { taps, pooling } = findAttentionTaps(decodeGraphStructure(bytes));
    assert.equal(taps.length, 3);
    assert.equal(pooling.length, 1);
    const size = siglip.options.imageSize;
    const patches = Math.floor(size / siglip.options.patchSize) ** 2;
    assert.equal(siglip.visionTokens, patches, 'no CLS token');
    const [probe, layer] = await tapped(bytes, [pooling[0].tensor, taps[0].tensor], { pixel_values: new ort.Tensor('float32', testPixels(2, size), [2, 3, size, size]) });
    assert.deepEqual(probe.dims, [2, siglip.options.heads, 1, patches]);
    assert.deepEqual(layer.dims, [2, siglip.options.heads, patches, patches]);
    const values = probe.data as Float32Array;
    for (let row = 0; row < 2 * siglip.options.heads; row++) {
      const sum = values.subarray(row * patches, (row + 1) * patches).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `probe row ${row} sums to ${sum}`);
    }
  } finally {
    siglip.remove();
  }
});

test('text: attention is bidirectional (SigLIP has no causal mask)', async () => {
  const siglip = writeTinyClip(options);
  try {
    const bytes = siglip.towerBytes('text');
    const { taps } = findAttentionTaps(decodeGraphStructure(bytes));
    assert.equal(taps.length, 2);
    const ids = new ort.Tensor('int64', BigInt64Array.from([0n, 5n, 9n, 1n]), [1, 4]);
    const [probs] = await tapped(bytes, [taps[0].tensor], { input_ids: ids });
    const p = probs.data as Float32Array;
    // Query 0's weight on the last key: zero under a causal mask, positive here.
    assert.ok(p[3] > 1e-4, `query 0 -> key 3 is ${p[3]}`);
  } finally {
    siglip.remove();
  }
});

// 36 px over 8 px patches: the Conv drops the last 4 pixels, as SigLIP-So400m's 384 px over 14 px patches drop 6.
test('the product reads the folder as SigLIP: sigmoid scores with the config\'s scale and bias, a pooling map per image', async () => {
  const siglip = writeTinyClip({ ...options, imageSize: 36 });
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: siglip.dir });
  try {
    const result = await service.analyze({ images: ['media/samples/scene-1.png'], texts: ['a red circle', 'a blue square'] });
    assert.equal(result.logitScale, 10);
    assert.equal(result.logitBias, -10);
    result.texts.forEach((_, t) => {
      const expected = 1 / (1 + Math.exp(-(result.similarity[0][t] * 10 - 10)));
      assert.ok(Math.abs(result.probabilities[0][t] - expected) < 1e-6, `text ${t}: ${result.probabilities[0][t]} vs ${expected}`);
    });
    const grid = 4;
    const map = result.maps.pooling?.[0];
    assert.ok(map, 'a pooling-head map');
    assert.deepEqual([map.length, map[0].length], [grid, grid]);
  } finally {
    await service.dispose();
    siglip.remove();
  }
});
