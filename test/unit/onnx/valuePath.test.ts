// Value paths, each checked against an independent computation on the synthetic CLIP (test/support/valuePathReference.ts):
// MaskCLIP against the same tower with its last attention made the identity by a graph edit, run to the end (the
// residual and MLP included); `values` against that layer's output projection alone under identity attention;
// ClearCLIP against the tower whose last key projection is given the query projection's weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { appendToModel, findProjectionHead } from '../../../src/inference/onnx/surgery';
import { FreshNames } from '../../../src/inference/onnx/graphWalk';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { planValuePath, type ValuePathVariant } from '../../../src/inference/onnx/valuePath';
import { testPixels, writeTinyClip } from '../../support/tinyClip';
import { referenceClearClipEmbeds, referenceMaskClipEmbeds, referenceValueEmbeds } from '../../support/valuePathReference';

const BATCH = 2;

/** The code under test: the three planned value-path outputs of the vision graph in `bytes`, and the patch tokens' projection. */
async function plannedEmbeds(bytes: Uint8Array, pixels: ort.Tensor): Promise<Record<ValuePathVariant | 'dense', ort.Tensor>> {
  const graph = decodeGraphStructure(bytes);
  const { head, reason } = findProjectionHead(graph, 'image_embeds', 'last_hidden_state');
  assert.ok(head, reason);
  const plan = (variant: ValuePathVariant) => {
    const result = planValuePath(graph, findAttentionTaps(graph).taps, head, 'last_hidden_state', variant);
    assert.ok(result.plan, result.reason);
    return result.plan;
  };
  const [maskclip, values, clearclip] = [plan('maskclip'), plan('values'), plan('clearclip')];
  assert.deepEqual([maskclip.output, values.output, clearclip.output], ['mmlens_maskclip_embeds', 'mmlens_values_embeds', 'mmlens_clearclip_embeds']);
  // Planned one after the other on the same graph, as the two-tower model plans them: their names must not clash.
  const dense = head.applyTo('last_hidden_state', 'dense_check', new FreshNames(graph), 'dense_check');
  const planned = [maskclip, values, clearclip, dense];
  const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: planned.map((p) => p.output), nodes: planned.flatMap((p) => p.nodes) }));
  const out = await session.run({ pixel_values: pixels });
  await session.release();
  return { maskclip: out[maskclip.output], values: out[values.output], clearclip: out[clearclip.output], dense: out[dense.output] };
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  expected.forEach((v, i) => assert.ok(Math.abs(actual[i] - v) < tolerance, `${what} ${i}: ${actual[i]} vs ${v}`));
}

const farApart = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]) > 1e-2);

for (const layout of ['4d', '3d'] as const) {
  test(`value paths of a ${layout}-attention synthetic CLIP equal identity or query-query attention through the head, with and without the rest of the layer`, async () => {
    const clip = writeTinyClip({ attentionLayout: layout, seed: 3 });
    try {
      const size = clip.options.imageSize;
      const pixels = new ort.Tensor('float32', testPixels(BATCH, size), [BATCH, 3, size, size]);
      const planned = await plannedEmbeds(clip.towerBytes('vision'), pixels);
      for (const variant of ['maskclip', 'values', 'clearclip'] as const) assert.deepEqual(planned[variant].dims, [BATCH, clip.visionTokens, clip.options.projectionDim]);
      const [maskclip, values, clearclip, dense] = [planned.maskclip.data, planned.values.data, planned.clearclip.data, planned.dense.data] as Float32Array[];
      assertClose(maskclip, await referenceMaskClipEmbeds(clip.options, clip.visionTokens, pixels), 1e-5, 'maskclip');
      assertClose(values, await referenceValueEmbeds(clip.options, clip.visionTokens, pixels), 1e-4, 'values');
      assertClose(clearclip, await referenceClearClipEmbeds(clip.options, pixels), 1e-5, 'clearclip');
      // Four different things: the residual and MLP matter, and so does the attention mixing and its kind.
      const all = [maskclip, values, clearclip, dense];
      all.forEach((a, i) => all.slice(i + 1).forEach((b) => assert.ok(farApart(a, b))));
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
    for (const variant of ['maskclip', 'values', 'clearclip'] as const) {
      const result = planValuePath(graph, findAttentionTaps(graph).taps, head!, 'last_hidden_state', variant);
      assert.equal(result.plan, undefined);
      assert.match(result.reason ?? '', /no attention probabilities/);
    }
  } finally {
    clip.remove();
  }
});
