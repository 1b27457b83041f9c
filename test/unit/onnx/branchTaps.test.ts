// Attention inside an If node's branches (Optimum's merged decoder): test/fixtures/tiny-llava-if holds the same
// weights as tiny-llava's one-graph decoder, as an If on use_cache_branch over the decoder with past and the one
// without. Read through the rewritten If, each branch's attention must equal the one-graph decoder's taps, and the
// model's own outputs must stay those of the untouched file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { SessionCache } from '../../../src/inference/runtime/sessions';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';

const decoder = (folder: string) => `test/fixtures/${folder}/onnx/decoder_model_merged.onnx`;
const [kvHeads, headDim, width] = [2, 8, 32];
const tensor = (type: 'float32' | 'int64', values: number[], dims: number[]) =>
  new ort.Tensor(type, type === 'int64' ? BigInt64Array.from(values.map(BigInt)) : Float32Array.from(values), dims);

/** A prefill of `length` positions with an empty past, then `useCache` tells the If which branch to take. */
function feeds(length: number, past: Record<string, ort.Tensor> | undefined, names: string[]): Record<string, ort.Tensor> {
  const start = past ? past['present.0.key'].dims[2] : 0;
  const out: Record<string, ort.Tensor> = {
    inputs_embeds: tensor('float32', Array.from({ length: length * width }, (_, i) => Math.sin(0.37 * (i + start * width))), [1, length, width]),
    attention_mask: tensor('int64', Array(start + length).fill(1), [1, start + length]),
    position_ids: tensor('int64', Array.from({ length }, (_, i) => start + i), [1, length]),
  };
  for (let layer = 0; layer < 2; layer++) {
    for (const kind of ['key', 'value']) {
      const name = `past_key_values.${layer}.${kind}`;
      out[name] = past?.[`present.${layer}.${kind}`] ?? new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    }
  }
  if (names.includes('use_cache_branch')) out.use_cache_branch = new ort.Tensor('bool', [past !== undefined], [1]);
  return out;
}

test('attention inside both branches of a merged decoder is read through the If and equals the one-graph decoder', async () => {
  const cache = new SessionCache('cpu');
  const [plain, merged] = await Promise.all([TappedGraph.load(decoder('tiny-llava')), TappedGraph.load(decoder('tiny-llava-if'))]);
  assert.equal(merged.taps.length, 2);
  assert.deepEqual(merged.taps.map((t) => t.layer), [0, 1]);
  assert.equal(merged.unobservedBranches, undefined);
  const [plainOpen, mergedOpen] = await Promise.all([plain.open(cache, 'plain'), merged.open(cache, 'merged')]);
  const untouched = await ort.InferenceSession.create(decoder('tiny-llava-if'));
  let plainPast: Record<string, ort.Tensor> | undefined;
  let mergedPast: Record<string, ort.Tensor> | undefined;
  for (const length of [5, 1, 1]) {
    const a = await plain.run(plainOpen, feeds(length, plainPast, plain.inputNames), 1);
    const mergedFeeds = feeds(length, mergedPast, merged.inputNames);
    const b = await merged.run(mergedOpen, mergedFeeds, 1);
    const reference = await untouched.run(mergedFeeds);
    for (const [layer, attention] of b.attention.entries()) {
      assert.deepEqual([attention.heads, attention.queries, attention.keys], [4, length, (mergedPast ? mergedPast['present.0.key'].dims[2] : 0) + length]);
      const gap = Math.max(...attention.data.map((v, i) => Math.abs(v - a.attention[layer].data[i])));
      assert.ok(gap < 1e-6, `layer ${layer}, ${length} new positions: attention differs by ${gap}`);
    }
    assert.deepEqual(Array.from(b.outputs.logits.data as Float32Array), Array.from(reference.logits.data as Float32Array));
    plainPast = a.outputs;
    mergedPast = b.outputs;
  }
  await cache.release();
});
