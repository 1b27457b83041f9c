// The head mask planner on the synthetic CLIP's vision tower, run in onnxruntime: the mask input appears with one
// row per masked layer, the all-ones mask returns the tower's own embedding bit for bit while the original outputs
// stay as they were, a zeroed head changes it, and a layer whose probabilities reach the values through anything but
// a plain MatMul (here com.microsoft FusedMatMul, which the taps accept) is refused with the layer's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { planHeadMask } from '../../../src/inference/onnx/headMask';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { appendToModel } from '../../../src/inference/onnx/surgery';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { valuesMatMul } from '../../../src/inference/onnx/valuePath';
import { GraphIndex } from '../../../src/inference/onnx/graphIndex';
import { decodeModel, encodeModelMessage } from '../../fuzz/onnxMutations';
import { testPixels, writeTinyClip } from '../../support/tinyClip';

test('the all-ones mask is the tower itself; masking a head changes the embedding; the original outputs stay', async () => {
  const clip = writeTinyClip({ seed: 11 });
  try {
    const bytes = clip.towerBytes('vision');
    const graph = decodeGraphStructure(bytes);
    const { taps } = findAttentionTaps(graph);
    const result = planHeadMask(graph, taps, ['image_embeds'], false);
    assert.ok(result.plan, result.reason);
    const { plan } = result;
    assert.deepEqual(plan.input.shape, [taps.length, 'heads']);
    const masked = plan.outputs.image_embeds;
    assert.notEqual(masked, 'image_embeds');
    const session = await ort.InferenceSession.create(appendToModel(bytes, { inputs: [plan.input], outputs: [masked], nodes: plan.nodes }));
    const size = clip.options.imageSize;
    const heads = clip.options.heads;
    const pixels = new ort.Tensor('float32', testPixels(1, size), [1, 3, size, size]);
    const run = async (mask: Float32Array) => session.run({ pixel_values: pixels, [plan.input.name]: new ort.Tensor('float32', mask, [taps.length, heads]) });
    const ones = await run(new Float32Array(taps.length * heads).fill(1));
    assert.deepEqual(Array.from(ones[masked].data as Float32Array), Array.from(ones.image_embeds.data as Float32Array));
    const zeroed = new Float32Array(taps.length * heads).fill(1);
    zeroed[heads] = 0;
    const one = await run(zeroed);
    assert.deepEqual(Array.from(one.image_embeds.data as Float32Array), Array.from(ones.image_embeds.data as Float32Array), 'the original output does not see the mask');
    const moved = Math.max(...Array.from(one[masked].data as Float32Array, (v, i) => Math.abs(v - (ones.image_embeds.data as Float32Array)[i])));
    assert.ok(moved > 1e-4, `masking layer 1 head 0 moved the embedding by ${moved}`);
    await session.release();
  } finally {
    clip.remove();
  }
});

test('probabilities that reach the values through a FusedMatMul are refused, naming the layer', () => {
  const clip = writeTinyClip({ seed: 11 });
  try {
    const bytes = clip.towerBytes('vision');
    const graph = decodeGraphStructure(bytes);
    const last = findAttentionTaps(graph).taps.at(-1)!;
    const matmul = valuesMatMul(new GraphIndex(graph), last.tensor)!;
    const model = decodeModel(bytes);
    const node = model.graph!.node.find((n) => n.name === matmul.name)!;
    Object.assign(node, { opType: 'FusedMatMul', domain: 'com.microsoft' });
    model.opsetImport.push({ domain: 'com.microsoft', version: 1 });
    const edited = decodeGraphStructure(encodeModelMessage(model));
    const { taps } = findAttentionTaps(edited);
    assert.equal(taps.length, findAttentionTaps(graph).taps.length, 'the taps still find the layer');
    const result = planHeadMask(edited, taps, ['image_embeds'], false);
    assert.equal(result.plan, undefined);
    assert.match(result.reason ?? '', new RegExp(`the probabilities of ${last.nodeName} do not reach the values through a plain MatMul`));
  } finally {
    clip.remove();
  }
});
