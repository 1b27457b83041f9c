/**
 * Inputs for the raw tower runs: deterministic pixels and token ids of the benchmark models' shapes
 * (input names as the synthetic CLIP, and Hugging Face's exports, call them).
 */
import type { Tensor } from 'onnxruntime-node';
import { loadOrt } from '../../src/inference/runtime/sessions';

/** pixel_values for `batch` images of size x size: a smooth pattern, as values after CLIP's normalisation. */
export async function pixelFeeds(size: number, batch = 1): Promise<Record<string, Tensor>> {
  const ort = await loadOrt();
  const pixels = new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i * 0.001) * 1.5);
  return { pixel_values: new ort.Tensor('float32', pixels, [batch, 3, size, size]) };
}

/** input_ids for `batch` texts of `length` tokens: start token, word ids, end token last (ids of the word-level tokenizer). */
export async function idFeeds(length: number, batch = 1): Promise<Record<string, Tensor>> {
  const ort = await loadOrt();
  const ids = new BigInt64Array(batch * length);
  for (let b = 0; b < batch; b++) {
    for (let t = 1; t < length - 1; t++) ids[b * length + t] = BigInt(3 + ((b * 7 + t * 5) % 25));
    ids[b * length + length - 1] = 1n;
  }
  return { input_ids: new ort.Tensor('int64', ids, [batch, length]) };
}

/** The named feeds of a tokenised batch (ids already padded to one length). */
export async function tokenFeeds(ids: BigInt64Array, batch: number): Promise<Record<string, Tensor>> {
  const ort = await loadOrt();
  return { input_ids: new ort.Tensor('int64', ids, [batch, ids.length / batch]) };
}
