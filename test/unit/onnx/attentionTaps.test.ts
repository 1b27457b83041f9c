// Attention taps on a one-layer attention graph with known weights: the probabilities ONNX Runtime returns
// through the tap must equal softmax(Q K^T / sqrt(d)) computed here with plain loops, in both layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/inference/onnx/graphBuilder';
import { DataType, intAttr, intsAttr } from '../../../src/inference/onnx/onnxTypes';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { appendToModel } from '../../../src/inference/onnx/surgery';

const [B, T, D, H] = [2, 4, 4, 2];
const hd = D / H;
const x = Float32Array.from({ length: B * T * D }, (_, i) => Math.sin(1 + i));
const weight = (seed: number) => Float32Array.from({ length: D * D }, (_, i) => (((Math.floor(i / D) * 3 + (i % D) * 5 + seed) % 7) - 3) / 4);
const [wq, wk, wv] = [weight(0), weight(1), weight(2)];

/** x[b, t, :] @ w as a [B][T][D] array. */
function project(w: Float32Array): number[][][] {
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => Array.from({ length: D }, (_, j) => {
    let sum = 0;
    for (let c = 0; c < D; c++) sum += x[(b * T + t) * D + c] * w[c * D + j];
    return sum;
  })));
}

/** Reference probabilities [b][h][i][j] and context [b][h][i][d]. */
function referenceAttention(): { probs: number[][][][]; context: number[][][][] } {
  const [q, k, v] = [project(wq), project(wk), project(wv)];
  const probs = q.map((qb, b) => Array.from({ length: H }, (_, h) => qb.map((qi) => {
    const scores = k[b].map((kj) => {
      let dot = 0;
      for (let d = 0; d < hd; d++) dot += qi[h * hd + d] * kj[h * hd + d];
      return dot / Math.sqrt(hd);
    });
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const total = exps.reduce((a, e) => a + e, 0);
    return exps.map((e) => e / total);
  })));
  const context = probs.map((pb, b) => pb.map((ph, h) => ph.map((row) => Array.from({ length: hd }, (_, d) =>
    row.reduce((sum, p, j) => sum + p * v[b][j][h * hd + d], 0)))));
  return { probs, context };
}

/** One attention layer; '3d' also uses opset 12 with an explicit positive Softmax axis, as older exports do. */
function attentionModel(layout: '4d' | '3d'): Uint8Array {
  const g = new GraphBuilder({ opset: layout === '4d' ? 17 : 12 });
  const input = g.input('x', DataType.FLOAT, ['batch', T, D]);
  const [q, k, v] = [wq, wk, wv].map((w, i) => g.op('MatMul', [input, g.floatInitializer(`w${i}`, w, [D, D])]));
  const split = g.int64Initializer('split', [0, 0, H, hd]);
  const heads = (t: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, split])], [intsAttr('perm', perm)]);
  const scale = g.floatInitializer('scale', new Float32Array([Math.sqrt(hd)]), []);
  if (layout === '4d') {
    const scores = g.op('Div', [g.op('MatMul', [heads(q, [0, 2, 1, 3]), heads(k, [0, 2, 3, 1])]), scale]);
    const probs = g.op('Softmax', [scores], [intAttr('axis', -1)]);
    g.output(g.op('MatMul', [probs, heads(v, [0, 2, 1, 3])], undefined, 'context'));
  } else {
    const flat = g.int64Initializer('flat', [-1, T, hd]);
    const flatHeads = (t: string) => g.op('Reshape', [heads(t, [0, 2, 1, 3]), flat]);
    const keysT = g.op('Transpose', [flatHeads(k)], [intsAttr('perm', [0, 2, 1])]);
    const scores = g.op('Div', [g.op('MatMul', [flatHeads(q), keysT]), scale]);
    const probs = g.op('Softmax', [scores], [intAttr('axis', 2)]);
    g.output(g.op('MatMul', [probs, flatHeads(v)], undefined, 'context'));
  }
  return g.toBytes();
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const layout of ['4d', '3d'] as const) {
  test(`tapped ${layout} attention returns softmax(QK^T/sqrt(d)) per head`, async () => {
    const bytes = attentionModel(layout);
    const { taps, fusedOperators } = findAttentionTaps(decodeGraphStructure(bytes));
    assert.equal(taps.length, 1);
    assert.deepEqual(fusedOperators, []);
    assert.equal(taps[0].layer, 0);
    const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs: [taps[0].tensor] }));
    const result = await session.run({ x: new ort.Tensor('float32', x, [B, T, D]) });
    const { probs, context } = referenceAttention();
    const tapped = result[taps[0].tensor];
    // [b, h, q, k] and [b*h, q, k] store the same numbers in the same order.
    assert.deepEqual(tapped.dims, layout === '4d' ? [B, H, T, T] : [B * H, T, T]);
    assertClose(tapped.data as Float32Array, probs.flat(3), 1e-5);
    assertClose(result.context.data as Float32Array, context.flat(3), 1e-4);
    await session.release();
  });
}

test('a Softmax that does not weight values, or is not over the last axis, is no tap', () => {
  const g = new GraphBuilder({ opset: 12 });
  const input = g.input('x', DataType.FLOAT, [2, 3, 3]);
  const scores = g.op('MatMul', [input, input]);
  // Opset 12 default axis 1 on a rank-3 tensor normalises over the last two axes together.
  const wholeRows = g.op('Softmax', [scores]);
  g.output(g.op('MatMul', [wholeRows, input], undefined, 'a'));
  const notWeighting = g.op('Softmax', [scores], [intAttr('axis', 2)]);
  g.output(g.op('MatMul', [input, notWeighting], undefined, 'b'));
  assert.deepEqual(findAttentionTaps(decodeGraphStructure(g.toBytes())).taps, []);
});

test('masking, Where, Dropout and Cast between the MatMuls do not hide a tap', () => {
  const g = new GraphBuilder();
  const input = g.input('x', DataType.FLOAT, ['b', 4, 4]);
  const keep = g.input('keep', DataType.BOOL, [4, 4]);
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [input, input]), g.floatInitializer('s', new Float32Array([0.5]), [])]), input]);
  const masked = g.op('Where', [keep, scores, g.floatInitializer('low', new Float32Array([-1e9]), [])]);
  const probs = g.op('Softmax', [g.op('Cast', [masked], [intAttr('to', DataType.FLOAT)])], [intAttr('axis', -1)]);
  const dropped = g.node('Dropout', [probs], { outputs: 1 })[0];
  g.output(g.op('MatMul', [g.op('Identity', [dropped]), input], undefined, 'y'));
  const { taps } = findAttentionTaps(decodeGraphStructure(g.toBytes()));
  assert.deepEqual(taps.map((t) => t.tensor), [probs]);
});

test('fused attention operators are reported, ai.onnx Attention only from opset 23', () => {
  const build = (opset: number) => {
    const g = new GraphBuilder({ opset, extraOpsets: [{ domain: 'com.microsoft', version: 1 }] });
    const input = g.input('x', DataType.FLOAT, [1, 4, 8]);
    const mha = g.node('MultiHeadAttention', [input, input, input], { domain: 'com.microsoft', attributes: [intAttr('num_heads', 2)] })[0];
    const again = g.node('MultiHeadAttention', [mha, mha, mha], { domain: 'com.microsoft', attributes: [intAttr('num_heads', 2)] })[0];
    g.output(g.op('Attention', [again, again, again], undefined, 'y'));
    return findAttentionTaps(decodeGraphStructure(g.toBytes())).fusedOperators;
  };
  assert.deepEqual(build(23), ['MultiHeadAttention', 'Attention']);
  assert.deepEqual(build(17), ['MultiHeadAttention']);
});
