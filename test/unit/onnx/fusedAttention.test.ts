// Fused attention: a synthetic CLIP built with com.microsoft MultiHeadAttention / Attention has no taps,
// says which operator hides them, runs in ONNX Runtime, and computes what the explicit-Softmax tower does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { testPixels, writeTinyClip } from '../../support/tinyClip';

async function embeds(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, name: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  await session.release();
  return out[name].data as Float32Array;
}

test('fused attention hides the taps, is named, and matches the explicit tower', async () => {
  const fused = writeTinyClip({ fusedAttention: true, seed: 7 });
  const explicit = writeTinyClip({ fusedAttention: false, seed: 7 });
  try {
    const expectedOps = { vision: ['MultiHeadAttention'], text: ['Attention'] };
    for (const tower of ['vision', 'text'] as const) {
      const scan = findAttentionTaps(decodeGraphStructure(fused.towerBytes(tower)));
      assert.deepEqual(scan.taps, []);
      assert.deepEqual(scan.fusedOperators, expectedOps[tower]);
    }
    const size = fused.options.imageSize;
    const pixels = { pixel_values: new ort.Tensor('float32', testPixels(1, size), [1, 3, size, size]) };
    const ids = { input_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 4n, 9n, 12n, 1n, 1n]), [1, 6]) };
    for (const [tower, feeds, name] of [['vision', pixels, 'image_embeds'], ['text', ids, 'text_embeds']] as const) {
      const [a, b] = [await embeds(fused.towerBytes(tower), feeds, name), await embeds(explicit.towerBytes(tower), feeds, name)];
      assert.equal(a.length, fused.options.projectionDim);
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4, `${name}[${i}]: ${v} vs ${b[i]}`));
    }
  } finally {
    fused.remove();
    explicit.remove();
  }
});
