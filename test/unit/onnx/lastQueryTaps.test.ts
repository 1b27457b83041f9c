// TappedGraph.keepLastQuery: the session returns only the last query row of every tap. Each row must equal the last
// row of the full tap read from the same graph without it, for the one-graph decoder of tiny-llava and Optimum's
// If-merged one (taps inside the branches), exactly, with the model's own outputs as they were; and for a float16
// CLIP text tower (the Gather before the Cast) within float16's precision.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { SessionCache } from '../../../src/inference/runtime/sessions';
import { TappedGraph, type LayerAttention } from '../../../src/inference/runtime/tappedGraph';

const cache = new SessionCache('cpu');
after(() => cache.release());

/** The last query row of a [1, heads, queries, keys] tap, head after head. */
function lastRows(layer: LayerAttention): number[] {
  return Array.from({ length: layer.heads }, (_, h) => {
    const from = (h * layer.queries + layer.queries - 1) * layer.keys;
    return Array.from(layer.data.subarray(from, from + layer.keys));
  }).flat();
}

/** Reads `file` tapped in full and with keepLastQuery on the same feeds; returns both runs. */
async function bothWays(file: string, feeds: (names: string[]) => Record<string, ort.Tensor>) {
  const [full, last] = await Promise.all([TappedGraph.load(file), TappedGraph.load(file)]);
  last.keepLastQuery();
  const [fullOpen, lastOpen] = await Promise.all([full.open(cache, `${file}#full`), last.open(cache, `${file}#last`)]);
  const input = feeds(full.inputNames);
  return Promise.all([full.run(fullOpen, input, 1), last.run(lastOpen, input, 1)]);
}

/** Each last row equals the full tap's last row, exactly or within `tolerance`. */
function assertLastRows(full: LayerAttention[], last: LayerAttention[], queries: number, tolerance = 0): void {
  assert.equal(last.length, full.length);
  assert.ok(full.length > 0);
  for (const [i, layer] of last.entries()) {
    assert.deepEqual([layer.heads, layer.queries, layer.keys], [full[i].heads, 1, full[i].keys]);
    assert.equal(full[i].queries, queries);
    const expected = lastRows(full[i]);
    assert.equal(layer.data.length, expected.length);
    const gap = Math.max(...layer.data.map((v, k) => Math.abs(v - expected[k])));
    assert.ok(gap <= tolerance, `layer ${i}: the last row differs by ${gap}`);
  }
}

for (const folder of ['tiny-llava', 'tiny-llava-if']) {
  test(`${folder}: the last query row of every decoder tap, outputs unchanged`, async () => {
    const length = 6;
    const feeds = (names: string[]) => {
      const out: Record<string, ort.Tensor> = {
        inputs_embeds: new ort.Tensor('float32', Float32Array.from({ length: length * 32 }, (_, i) => Math.sin(0.37 * i)), [1, length, 32]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from({ length }, (_, i) => BigInt(i)), [1, length]),
      };
      for (const name of names.filter((n) => n.startsWith('past_key_values.'))) out[name] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 8]);
      if (names.includes('use_cache_branch')) out.use_cache_branch = new ort.Tensor('bool', [false], [1]);
      return out;
    };
    const [full, last] = await bothWays(`test/fixtures/${folder}/onnx/decoder_model_merged.onnx`, feeds);
    assertLastRows(full.attention, last.attention, length);
    assert.deepEqual(Array.from(last.outputs.logits.data as Float32Array), Array.from(full.outputs.logits.data as Float32Array));
  });
}

test('a float16 graph: the last row is gathered before the Cast to float32', async () => {
  const ids = [14, 0, 1, 2, 3, 6, 15]; // <|startoftext|> a photo of red circle <|endoftext|>
  const feeds = (names: string[]) => {
    const out: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) };
    if (names.includes('attention_mask')) out.attention_mask = new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    return out;
  };
  const [full, last] = await bothWays('test/fixtures/hf-clip/onnx/text_model_fp16.onnx', feeds);
  // Read in full, onnxruntime drops the Softmax's float16 round trip before the Cast; gathered first, it keeps it.
  assertLastRows(full.attention, last.attention, ids.length, 1e-3);
});
