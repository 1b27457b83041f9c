// Value path (MaskCLIP): checked against an independent computation on the synthetic CLIP, the same seeded
// vision tower with its last attention replaced by the identity (test/support/valuePathReference.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { appendToModel, findProjectionHead } from '../../../src/inference/onnx/surgery';
import { FreshNames } from '../../../src/inference/onnx/graphWalk';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { planValuePath } from '../../../src/inference/onnx/valuePath';
import { testPixels, writeTinyClip } from '../../support/tinyClip';
import { referenceValueEmbeds } from '../../support/valuePathReference';

const BATCH = 2;

/** The code under test: the planned value-path output of the vision graph in `bytes`. */
async function plannedValueEmbeds(bytes: Uint8Array, pixels: ort.Tensor): Promise<{ data: Float32Array; dims: readonly number[]; dense: Float32Array }> {
  const graph = decodeGraphStructure(bytes);
  const { head, reason } = findProjectionHead(graph, 'image_embeds', 'last_hidden_state');
  assert.ok(head, reason);
  const result = planValuePath(graph, findAttentionTaps(graph).taps, head, 'last_hidden_state');
  assert.ok(result.plan, result.reason);
  assert.equal(result.plan.output, 'mmlens_value_embeds');
  const dense = head.applyTo('last_hidden_state', 'dense_check', new FreshNames(graph), 'dense_check');
  const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: [result.plan.output, dense.output], nodes: [...result.plan.nodes, ...dense.nodes] }));
  const out = await session.run({ pixel_values: pixels });
  await session.release();
  const value = out[result.plan.output];
  return { data: value.data as Float32Array, dims: value.dims, dense: out[dense.output].data as Float32Array };
}

for (const layout of ['4d', '3d'] as const) {
  test(`value path of a ${layout}-attention synthetic CLIP equals identity attention through the head`, async () => {
    const clip = writeTinyClip({ attentionLayout: layout, seed: 3 });
    try {
      const size = clip.options.imageSize;
      const pixels = new ort.Tensor('float32', testPixels(BATCH, size), [BATCH, 3, size, size]);
      const planned = await plannedValueEmbeds(clip.towerBytes('vision'), pixels);
      const expected = await referenceValueEmbeds(clip.options, clip.visionTokens, pixels);
      assert.deepEqual(planned.dims, [BATCH, clip.visionTokens, clip.options.projectionDim]);
      expected.forEach((v, i) => assert.ok(Math.abs(planned.data[i] - v) < 1e-4, `value ${i}: ${planned.data[i]} vs ${v}`));
      // The residual stream and the MLP are left out, so the value path is not the patch tokens' projection.
      assert.ok(planned.data.some((v, i) => Math.abs(v - planned.dense[i]) > 1e-2));
    } finally {
      clip.remove();
    }
  });
}

test('a graph whose attention is fused gets a reason instead of a plan', () => {
  const clip = writeTinyClip({ fusedAttention: true });
  try {
    const graph = decodeGraphStructure(clip.towerBytes('vision'));
    const { head } = findProjectionHead(graph, 'image_embeds', 'last_hidden_state');
    const result = planValuePath(graph, findAttentionTaps(graph).taps, head!, 'last_hidden_state');
    assert.equal(result.plan, undefined);
    assert.match(result.reason ?? '', /no attention probabilities/);
  } finally {
    clip.remove();
  }
});
