// Dense projection: the cloned norm + projection head applied to every token. Checked against a per-token
// reference computed here, and on the synthetic CLIP by the CLS row, which must equal image_embeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/inference/onnx/graphBuilder';
import { DataType, floatAttr, intAttr, intsAttr } from '../../../src/inference/onnx/onnxTypes';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { appendToModel, planDenseProjection } from '../../../src/inference/onnx/surgery';
import { testPixels, writeTinyClip } from '../../support/tinyClip';

const [B, T, W, P] = [2, 5, 6, 3];
const eps = 1e-5;
const hidden = Float32Array.from({ length: B * T * W }, (_, i) => Math.cos(i * 0.7) * 2 + (i % 3));
const gamma = Float32Array.from({ length: W }, (_, i) => 1 + i / 10);
const beta = Float32Array.from({ length: W }, (_, i) => i / 20 - 0.1);
const proj = Float32Array.from({ length: W * P }, (_, i) => Math.sin(i + 0.5));
const bias = Float32Array.from({ length: P }, (_, i) => i - 1);

/** alpha * LayerNorm(row) @ proj + betaC * bias, per token, by hand. */
function reference(row: Float32Array, alpha: number, betaC: number): number[] {
  const mean = row.reduce((a, b) => a + b, 0) / W;
  const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / W;
  const normed = Array.from(row, (v, i) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[i] + beta[i]);
  return Array.from({ length: P }, (_, j) =>
    alpha * normed.reduce((sum, v, i) => sum + v * proj[i * P + j], 0) + betaC * bias[j]);
}

type Variant = 'gather+layernorm' | 'slice+squeeze+decomposed+gemm' | 'slice+layernorm(axis 2)' | 'cast output+gather+layernorm';

/**
 * A head over a hidden-state input, exported four ways; last_hidden_state is an Identity alias of x, or a Cast
 * of it as a float16 export writes its float32 outputs (the head reads the tensor before the Cast).
 */
function headModel(variant: Variant): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('x', DataType.FLOAT, ['batch', T, W]);
  if (variant === 'cast output+gather+layernorm') g.output(g.op('Cast', [x], [intAttr('to', DataType.FLOAT)], 'last_hidden_state'));
  else g.output(g.op('Identity', [x], undefined, 'last_hidden_state'));
  const [scale, shift] = [g.floatInitializer('gamma', gamma, [W]), g.floatInitializer('beta', beta, [W])];
  const i64 = (name: string, v: number[]) => g.int64Initializer(name, v);
  let embeds: string;
  if (variant === 'gather+layernorm' || variant === 'cast output+gather+layernorm') {
    const cls = g.op('Gather', [x, g.int64Initializer('zero', [0], [])], [intAttr('axis', 1)]);
    const normed = g.op('LayerNormalization', [cls, scale, shift], [floatAttr('epsilon', eps)]);
    embeds = g.op('Add', [g.op('MatMul', [normed, g.floatInitializer('proj', proj, [W, P])]), g.floatInitializer('bias', bias, [P])]);
  } else if (variant === 'slice+squeeze+decomposed+gemm') {
    const sliced = g.op('Slice', [x, i64('starts', [0]), i64('ends', [1]), i64('axes', [1]), i64('steps', [1])]);
    const cls = g.op('Squeeze', [sliced, i64('squeeze_axes', [1])]);
    const mean = g.op('ReduceMean', [cls], [intsAttr('axes', [1])]);
    const centred = g.op('Sub', [cls, mean]);
    const two = g.floatInitializer('two', new Float32Array([2]), []);
    const variance = g.op('ReduceMean', [g.op('Pow', [centred, two])], [intsAttr('axes', [-1])]);
    const std = g.op('Sqrt', [g.op('Add', [variance, g.floatInitializer('eps', new Float32Array([eps]), [])])]);
    const normed = g.op('Add', [g.op('Mul', [g.op('Div', [centred, std]), scale]), shift]);
    const projT = g.floatInitializer('projT', transpose(proj, W, P), [P, W]);
    embeds = g.op('Gemm', [normed, projT, g.floatInitializer('bias', bias, [P])], [intAttr('transB', 1), floatAttr('alpha', 0.5), floatAttr('beta', 2)]);
  } else {
    const cls = g.op('Slice', [x, i64('starts', [0]), i64('ends', [1]), i64('axes', [-2])]);
    const normed = g.op('LayerNormalization', [cls, scale, shift], [intAttr('axis', 2), floatAttr('epsilon', eps)]);
    embeds = g.op('MatMul', [normed, g.floatInitializer('proj', proj, [W, P])]);
  }
  g.output(g.op('Identity', [embeds], undefined, 'embeds'));
  return g.toBytes();
}

function transpose(m: Float32Array, rowsIn: number, cols: number): Float32Array {
  return Float32Array.from({ length: m.length }, (_, i) => m[(i % rowsIn) * cols + Math.floor(i / rowsIn)]);
}

/** The Gemm variant stores proj transposed and scales: 0.5 * A proj + 2 * bias. */
const expectations: Record<Variant, { alpha: number; betaC: number }> = {
  'gather+layernorm': { alpha: 1, betaC: 1 },
  'slice+squeeze+decomposed+gemm': { alpha: 0.5, betaC: 2 },
  'slice+layernorm(axis 2)': { alpha: 1, betaC: 0 },
  'cast output+gather+layernorm': { alpha: 1, betaC: 1 },
};

for (const variant of Object.keys(expectations) as Variant[]) {
  test(`dense projection of a ${variant} head matches the per-token reference`, async () => {
    const bytes = headModel(variant);
    const result = planDenseProjection(decodeGraphStructure(bytes), 'embeds', 'last_hidden_state');
    assert.ok(result.plan, result.reason);
    const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: [result.plan.output], nodes: result.plan.nodes }));
    const out = await session.run({ x: new ort.Tensor('float32', hidden, [B, T, W]) });
    await session.release();
    const dense = out[result.plan.output];
    assert.equal(dense.dims.slice(-2).join(), [T, P].join());
    const { alpha, betaC } = expectations[variant];
    const data = dense.data as Float32Array;
    for (let token = 0; token < B * T; token++) {
      const expected = reference(hidden.subarray(token * W, (token + 1) * W), alpha, betaC);
      expected.forEach((v, j) => assert.ok(Math.abs(data[token * P + j] - v) < 1e-4, `token ${token} dim ${j}: ${data[token * P + j]} vs ${v}`));
    }
  });
}

test('heads that are not CLS + norm + projection get a reason instead of a plan', () => {
  const g = new GraphBuilder();
  const x = g.input('last_hidden_state', DataType.FLOAT, ['batch', T, W]);
  const pooled = g.op('ReduceMean', [x], [intsAttr('axes', [1]), intAttr('keepdims', 0)]);
  g.output(g.op('MatMul', [pooled, g.floatInitializer('proj', proj, [W, P])], undefined, 'embeds'));
  const cls = g.op('Gather', [x, g.int64Initializer('zero', [0], [])], [intAttr('axis', 1)]);
  const flat = g.op('Reshape', [cls, g.int64Initializer('shape', [0, -1])]);
  g.output(g.op('MatMul', [flat, g.floatInitializer('proj2', proj, [W, P])], undefined, 'other'));
  const graph = decodeGraphStructure(g.toBytes());
  const meanPooled = planDenseProjection(graph, 'embeds', 'last_hidden_state');
  assert.equal(meanPooled.plan, undefined);
  assert.match(meanPooled.reason ?? '', /CLS/);
  const reshaped = planDenseProjection(graph, 'other', 'last_hidden_state');
  assert.equal(reshaped.plan, undefined);
  assert.match(reshaped.reason ?? '', /Reshape/);
});

test('on the synthetic CLIP, the CLS row of the dense output is image_embeds and patch rows differ', async () => {
  const clip = writeTinyClip();
  try {
    const bytes = clip.towerBytes('vision');
    const graph = decodeGraphStructure(bytes);
    const { plan, reason } = planDenseProjection(graph, 'image_embeds', 'last_hidden_state');
    assert.ok(plan, reason);
    assert.equal(planDenseProjection(graph, 'image_embeds', 'last_hidden_state', 'image_embeds').plan?.output, 'image_embeds_1');
    const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: [plan.output], nodes: plan.nodes }));
    const size = clip.options.imageSize;
    const out = await session.run({ pixel_values: new ort.Tensor('float32', testPixels(2, size), [2, 3, size, size]) });
    await session.release();
    const p = clip.options.projectionDim;
    const tokens = clip.visionTokens;
    assert.deepEqual(out[plan.output].dims, [2, tokens, p]);
    const dense = out[plan.output].data as Float32Array;
    const embeds = out.image_embeds.data as Float32Array;
    for (let b = 0; b < 2; b++) {
      const row = (t: number) => dense.subarray((b * tokens + t) * p, (b * tokens + t + 1) * p);
      row(0).forEach((v, j) => assert.ok(Math.abs(v - embeds[b * p + j]) < 1e-5, `image ${b} dim ${j}`));
      for (let t = 1; t < tokens; t++) assert.ok(row(t).some((v, j) => Math.abs(v - row(0)[j]) > 1e-3), `patch ${t} equals CLS`);
      assert.ok(row(1).some((v, j) => Math.abs(v - row(2)[j]) > 1e-3), 'patches 1 and 2 are equal');
    }
  } finally {
    clip.remove();
  }
});
