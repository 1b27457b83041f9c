// Reference for the value path (MaskCLIP), independent of src/inference/onnx/valuePath.ts: rebuilds the
// synthetic CLIP's seeded vision tower, replaces its last Softmax by the identity (scores x 0 plus a mask that
// is 0 on the diagonal and -1e9 elsewhere), reads that layer's output projection (found by its weight's name),
// and applies post_layernorm and visual_projection by hand, reading their weights from the model.
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../../src/inference/onnx/schema';
import { DataType, type OnnxTensor } from '../../src/inference/onnx/onnxTypes';
import { buildVisionTower } from '../../tools/models/clipTowers';
import type { SyntheticClipOptions } from '../../tools/models/syntheticClip';

function floats(tensor: OnnxTensor): Float32Array {
  const raw = tensor.raw!;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** The reference, [batch, tokens, projection]: last layer's out_proj output with identity attention, then LayerNorm and projection by hand. */
export async function referenceValueEmbeds(options: SyntheticClipOptions, tokens: number, pixels: ort.Tensor): Promise<Float32Array> {
  const spec = buildVisionTower(options).toModel();
  const { nodes, initializers = [] } = spec.graph;
  const softmaxAt = nodes.map((n) => n.opType).lastIndexOf('Softmax');
  const softmax = nodes[softmaxAt];
  const mask = new Float32Array(tokens * tokens).map((_, i) => (i % (tokens + 1) === 0 ? 0 : -1e9));
  const zero = new Float32Array([0]);
  const raw = (a: Float32Array) => new Uint8Array(a.buffer);
  initializers.push({ name: 'test_mask', dims: [tokens, tokens], dataType: DataType.FLOAT, raw: raw(mask) });
  initializers.push({ name: 'test_zero', dims: [], dataType: DataType.FLOAT, raw: raw(zero) });
  nodes.splice(softmaxAt, 0,
    { opType: 'Mul', name: 'test_mul', inputs: [softmax.inputs[0], 'test_zero'], outputs: ['test_zeros'] },
    { opType: 'Add', name: 'test_add', inputs: ['test_zeros', 'test_mask'], outputs: ['test_identity_scores'] });
  softmax.inputs = ['test_identity_scores'];
  const bias = `encoder.layers.${options.layers - 1}.self_attn.out_proj.bias`;
  const outProj = nodes.find((n) => n.opType === 'Add' && n.inputs.includes(bias))!;
  spec.graph.outputs.push({ name: outProj.outputs[0], elemType: DataType.FLOAT });
  const session = await ort.InferenceSession.create(encodeModel(spec));
  const out = await session.run({ pixel_values: pixels });
  await session.release();
  const attended = out[outProj.outputs[0]].data as Float32Array;

  const weight = (name: string) => floats(initializers.find((t) => t.name === name)!);
  const [gamma, beta, proj] = [weight('post_layernorm.weight'), weight('post_layernorm.bias'), weight('visual_projection.weight')];
  const [w, p] = [options.width, options.projectionDim];
  const result = new Float32Array((attended.length / w) * p);
  for (let row = 0; row < attended.length / w; row++) {
    const x = attended.subarray(row * w, (row + 1) * w);
    const mean = x.reduce((a, b) => a + b, 0) / w;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / w;
    const normed = Array.from(x, (v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[i] + beta[i]);
    for (let j = 0; j < p; j++) result[row * p + j] = normed.reduce((s, v, i) => s + v * proj[i * p + j], 0);
  }
  return result;
}
