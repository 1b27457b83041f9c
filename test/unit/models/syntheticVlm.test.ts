// The synthetic VLM builder (tools/models/syntheticVlm.ts) at test size, the builder the generation benchmark
// runs at SmolVLM-256M's decoder size: InferenceService.generate's KV-cache loop over the tapped decoder must give
// what a no-cache recompute gives, run here directly through onnxruntime on the untapped graphs (the whole
// sequence with an empty past at every step), with the pixels PIL computed for tiny-llava (same preprocessing):
// the same greedy tokens, and log-probabilities (logits less their log-sum-exp) within 1e-4.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferenceService } from '../../../src/inference/service';
import { writeSyntheticVlm, type SyntheticVlmInfo } from '../../../tools/models/syntheticVlm';
import { VLM_TOKEN_IDS } from '../../../tools/models/vlmFiles';

const fixture = join(__dirname, '..', '..', 'fixtures', 'tiny-llava');
const image = join(fixture, 'edges_51x37.png');
const steps = 6;

let work: string;
let model: SyntheticVlmInfo;
let service: InferenceService;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-synthetic-vlm-'));
  model = writeSyntheticVlm(work);
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: work });
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** Natural-log softmax in float64. */
function logSoftmax(logits: Float32Array): number[] {
  const max = logits.reduce((m, v) => Math.max(m, v), -Infinity);
  const log = Math.log(logits.reduce((sum, v) => sum + Math.exp(v - max), 0)) + max;
  return Array.from(logits, (v) => v - log);
}

/** The last position's logits of each step, recomputed from scratch: image features over the span, then the decoder without a cache. */
async function recompute(promptIds: number[], span: [number, number], answer: number[]): Promise<Float32Array[]> {
  const { files, options } = model;
  const [vision, embed, decoder] = await Promise.all([files.visionEncoder, files.embedTokens, files.decoder].map((file) => ort.InferenceSession.create(file)));
  const size = options.vision.imageSize;
  const bytes = readFileSync(join(fixture, 'pixels_edges_51x37.f32'));
  const pixels = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const features = (await vision.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, size, size]) })).image_features.data as Float32Array;
  const { hidden: width, kvHeads, headDim, layers } = options.decoder;
  assert.equal(features.length, (span[1] - span[0]) * width);
  const empty = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
  const logits: Float32Array[] = [];
  for (let k = 0; k < answer.length; k++) {
    const ids = [...promptIds, ...answer.slice(0, k)];
    const n = ids.length;
    const embedded = await embed.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]) });
    const embeds = Float32Array.from(embedded.inputs_embeds.data as Float32Array);
    embeds.set(features, span[0] * width);
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, n, width]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]),
    };
    for (let layer = 0; layer < layers; layer++) feeds[`past_key_values.${layer}.key`] = feeds[`past_key_values.${layer}.value`] = empty;
    const out = (await decoder.run(feeds)).logits.data as Float32Array;
    logits.push(out.slice(out.length - options.decoder.vocab));
  }
  await Promise.all([vision, embed, decoder].map((s) => s.release()));
  return logits;
}

test('the KV-cache loop through the service gives the no-cache recompute\'s greedy tokens and log-probabilities', async () => {
  const result = await service.generate({ images: [image], prompt: 'Describe the image.', maxNewTokens: steps, includeAttention: true });
  assert.match(result.prompt.text, /^USER: <image>.*\nDescribe the image\. ASSISTANT:$/s);
  const [start, end] = result.prompt.imageTokens;
  assert.equal(end - start, model.imageTokens);
  assert.ok(result.prompt.ids.slice(start, end).every((id) => id === VLM_TOKEN_IDS.image));
  assert.equal(result.generated.length, steps);
  const ids = result.generated.map((t) => t.id);
  const reference = await recompute(result.prompt.ids, result.prompt.imageTokens, ids);
  for (const [k, token] of result.generated.entries()) {
    const logprobs = logSoftmax(reference[k]);
    const best = logprobs.indexOf(Math.max(...logprobs));
    assert.equal(token.id, best, `step ${k}: the loop chose ${token.id}, the recompute ${best}`);
    for (const top of [{ id: token.id, logprob: token.logprob }, ...token.top]) {
      assert.ok(Math.abs(top.logprob - logprobs[top.id]) < 1e-4, `step ${k}, token ${top.id}: ${top.logprob} against ${logprobs[top.id]}`);
    }
  }
});

test('the taps read every layer\'s attention per query head, each row a distribution over the pass\'s keys', async () => {
  const result = await service.generate({ images: [image], prompt: 'Describe the image.', maxNewTokens: 3, includeAttention: true });
  const { layers, heads } = model.options.decoder;
  assert.deepEqual(result.attentionObserved, { available: true });
  for (const [k, pass] of result.attention!.decoder.entries()) {
    assert.equal(pass.length, layers);
    for (const layer of pass) {
      assert.equal(layer.length, heads);
      for (const row of layer) {
        assert.equal(row.length, result.prompt.ids.length + k);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      }
    }
  }
});
