// A decoder whose attention is fused (issue 14 item 9): the synthetic VLM builder writes the same weights once with
// HF's eager attention (an explicit Softmax the taps read) and once with onnxruntime's com.microsoft
// GroupQueryAttention, which hides its probabilities. Generation must still work and give the same answer; the
// result and inspect must say that the attention cannot be observed, and name the operator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceService } from '../../../src/inference/service';
import { writeSyntheticVlm } from '../../../tools/models/syntheticVlm';

const image = join(__dirname, '..', '..', 'fixtures', 'tiny-llava', 'edges_51x37.png');
const request = { images: [image], prompt: 'Describe the image.', maxNewTokens: 6, includeAttention: true };

let work: string;
let service: InferenceService;
const dirs = { eager: '', fused: '' };
before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-fused-vlm-'));
  dirs.eager = writeSyntheticVlm(join(work, 'eager')).dir;
  dirs.fused = writeSyntheticVlm(join(work, 'fused'), { decoder: { fusedAttention: true } }).dir;
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dirs.eager });
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('a GroupQueryAttention decoder generates the eager decoder\'s answer, to the token limit, with no maps', async () => {
  const eager = await service.generate({ ...request, modelDir: dirs.eager });
  const fused = await service.generate({ ...request, modelDir: dirs.fused });
  assert.deepEqual(fused.generated.map((t) => t.id), eager.generated.map((t) => t.id));
  for (const [k, token] of fused.generated.entries()) {
    assert.ok(Math.abs(token.logprob - eager.generated[k].logprob) < 1e-4, `step ${k}: ${token.logprob} against ${eager.generated[k].logprob}`);
    assert.deepEqual([token.map, token.imageShare, token.shares], [[], [], undefined]);
  }
  assert.equal(fused.stopReason, 'maxNewTokens');
  assert.equal(fused.generated.length, request.maxNewTokens);
  assert.equal(fused.attentionObserved.available, false);
  assert.match(fused.attentionObserved.reason ?? '', /GroupQueryAttention/);
  assert.ok(fused.attention!.decoder.every((pass) => pass.length === 0));
  assert.ok(eager.generated.every((t) => t.map[0].length === eager.images[0].rows * eager.images[0].cols));
});

test('inspect says the fused decoder\'s attention is not observable, and why', async () => {
  const inspected = await service.inspect(dirs.fused);
  const observed = inspected.generative!.attentionObserved;
  assert.equal(observed.available, false);
  assert.match(observed.reason ?? '', /fused operators \(GroupQueryAttention\)/);
  assert.match(inspected.architectureGuess, /Attention is not observable in this decoder/);
  // The taps see no layer of a fused decoder; config.json's text_config counts them, as for the eager one.
  const eager = (await service.inspect(dirs.eager)).generative!;
  assert.deepEqual([inspected.generative!.decoderLayers, inspected.generative!.queryHeads], [eager.decoderLayers, eager.queryHeads]);
  assert.match(inspected.architectureGuess, new RegExp(`a decoder of ${eager.decoderLayers} layers`));
  assert.deepEqual((await service.inspect(dirs.eager)).generative!.attentionObserved, { available: true });
});
