// References for the value paths, independent of src/inference/onnx/valuePath.ts (which clones the last layer's
// nodes with the values in place of probs x values). Here the last layer's attention is made the identity by
// editing the graph itself, and the rest of the graph runs as it is:
// - identityLastAttention: any model; every reader of its last Softmax reads probs x 0 + I instead, so each token
//   attends to itself alone and the residual and the MLP still follow. The hidden state of that graph through
//   the final norm and projection is MaskCLIP by its definition.
// - referenceValueEmbeds: the synthetic CLIP's tower with its last Softmax fed 0 on the diagonal and -1e9
//   elsewhere, read at that layer's output projection (found by its weight's name): the `values` variant.
// - referenceClearClipEmbeds: the same tower with its last layer's key projection given the query projection's
//   weights and bias, so its own attention is query-query, read at that layer's output projection: ClearCLIP.
// The synthetic references apply post_layernorm and visual_projection by hand, reading their weights.
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../src/inference/onnx/schema';
import { DataType, type OnnxTensor } from '../../src/inference/onnx/onnxTypes';
import { buildVisionTower } from '../../tools/models/clipTowers';
import type { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import type { SyntheticClipOptions } from '../../tools/models/syntheticClip';
import { decodeModel, encodeModelMessage } from '../fuzz/onnxMutations';

function floats(tensor: OnnxTensor): Float32Array {
  const raw = tensor.raw!;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer);

/** `model` with the output of its last Softmax (tokens x tokens per head) read as the identity matrix by every node. */
export function identityLastAttention(model: Uint8Array, tokens: number): Uint8Array {
  const message = decodeModel(model);
  const graph = message.graph!;
  const at = graph.node.map((n) => n.opType).lastIndexOf('Softmax');
  const probs = graph.node[at].output[0];
  const eye = new Float32Array(tokens * tokens).map((_, i) => (i % (tokens + 1) === 0 ? 1 : 0));
  graph.initializer.push(
    { name: 'test_eye', dims: [tokens, tokens], dataType: DataType.FLOAT, rawData: bytesOf(eye), externalData: [] },
    { name: 'test_zero', dims: [], dataType: DataType.FLOAT, rawData: bytesOf(new Float32Array([0])), externalData: [] },
  );
  for (const node of graph.node) node.input = node.input.map((t) => (t === probs ? 'test_identity' : t));
  graph.node.splice(at + 1, 0,
    { opType: 'Mul', name: 'test_mul', input: [probs, 'test_zero'], output: ['test_zeros'], attribute: [] },
    { opType: 'Add', name: 'test_add', input: ['test_zeros', 'test_eye'], output: ['test_identity'], attribute: [] });
  return encodeModelMessage(message);
}

/** MaskCLIP's reference, [batch, tokens, projection]: the identity-attention tower's last_hidden_state, then LayerNorm and projection by hand. */
export async function referenceMaskClipEmbeds(options: SyntheticClipOptions, tokens: number, pixels: ort.Tensor): Promise<Float32Array> {
  const spec = buildVisionTower(options).toModel();
  const hidden = await runFor(identityLastAttention(encodeModel(spec), tokens), pixels, 'last_hidden_state');
  return headByHand(hidden, options, spec.graph.initializers ?? []);
}

/** The `values` reference, [batch, tokens, projection]: last layer's out_proj output with identity attention, then LayerNorm and projection by hand. */
export async function referenceValueEmbeds(options: SyntheticClipOptions, tokens: number, pixels: ort.Tensor): Promise<Float32Array> {
  const spec = buildVisionTower(options).toModel();
  const { nodes, initializers = [] } = spec.graph;
  const softmaxAt = nodes.map((n) => n.opType).lastIndexOf('Softmax');
  const softmax = nodes[softmaxAt];
  const mask = new Float32Array(tokens * tokens).map((_, i) => (i % (tokens + 1) === 0 ? 0 : -1e9));
  initializers.push({ name: 'test_mask', dims: [tokens, tokens], dataType: DataType.FLOAT, raw: bytesOf(mask) });
  initializers.push({ name: 'test_zero', dims: [], dataType: DataType.FLOAT, raw: bytesOf(new Float32Array([0])) });
  nodes.splice(softmaxAt, 0,
    { opType: 'Mul', name: 'test_mul', inputs: [softmax.inputs[0], 'test_zero'], outputs: ['test_zeros'] },
    { opType: 'Add', name: 'test_add', inputs: ['test_zeros', 'test_mask'], outputs: ['test_identity_scores'] });
  softmax.inputs = ['test_identity_scores'];
  return outputProjectionEmbeds(spec, options, pixels);
}

/** ClearCLIP's reference, [batch, tokens, projection]: the last layer's keys computed with its query projection, read after its out_proj, then the head by hand. */
export async function referenceClearClipEmbeds(options: SyntheticClipOptions, pixels: ort.Tensor): Promise<Float32Array> {
  const spec = buildVisionTower(options).toModel();
  const initializers = spec.graph.initializers ?? [];
  const attention = `encoder.layers.${options.layers - 1}.self_attn`;
  for (const part of ['weight', 'bias']) {
    const [query, key] = [`${attention}.q_proj.${part}`, `${attention}.k_proj.${part}`].map((name) => initializers.find((t) => t.name === name)!);
    key.raw = query.raw;
  }
  return outputProjectionEmbeds(spec, options, pixels);
}

/** `spec` run to its last layer's output projection (found by its bias's name), then the head by hand. */
async function outputProjectionEmbeds(spec: ReturnType<GraphBuilder['toModel']>, options: SyntheticClipOptions, pixels: ort.Tensor): Promise<Float32Array> {
  const { nodes, initializers = [] } = spec.graph;
  const bias = `encoder.layers.${options.layers - 1}.self_attn.out_proj.bias`;
  const outProj = nodes.find((n) => n.opType === 'Add' && n.inputs.includes(bias))!;
  spec.graph.outputs.push({ name: outProj.outputs[0], elemType: DataType.FLOAT });
  return headByHand(await runFor(encodeModel(spec), pixels, outProj.outputs[0]), options, initializers);
}

async function runFor(model: Uint8Array, pixels: ort.Tensor, output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ pixel_values: pixels });
  await session.release();
  return out[output].data as Float32Array;
}

/** post_layernorm (eps 1e-5) and visual_projection of every row of `rows` (width wide), from the tower's weights. */
function headByHand(rows: Float32Array, options: SyntheticClipOptions, initializers: OnnxTensor[]): Float32Array {
  const weight = (name: string) => floats(initializers.find((t) => t.name === name)!);
  const [gamma, beta, proj] = [weight('post_layernorm.weight'), weight('post_layernorm.bias'), weight('visual_projection.weight')];
  const [w, p] = [options.width, options.projectionDim];
  const result = new Float32Array((rows.length / w) * p);
  for (let row = 0; row < rows.length / w; row++) {
    const x = rows.subarray(row * w, (row + 1) * w);
    const mean = x.reduce((a, b) => a + b, 0) / w;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / w;
    const normed = Array.from(x, (v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[i] + beta[i]);
    for (let j = 0; j < p; j++) result[row * p + j] = normed.reduce((s, v, i) => s + v * proj[i * p + j], 0);
  }
  return result;
}
