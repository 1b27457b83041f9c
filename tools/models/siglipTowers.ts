/**
 * The two towers of a SigLIP model with Hugging Face's architecture and output names (SiglipVisionModel,
 * SiglipTextModel, as transformers.js exports them), from seeded weights. Vision: Conv patch embedding with
 * bias, position embedding, no CLS token, pre-LayerNorm encoder, post-LayerNorm -> last_hidden_state, then the
 * attention-pooling head (a learned probe attends over the patches, LayerNorm, MLP with residual) ->
 * pooler_output. Text: token + position embeddings, a bidirectional encoder, final LayerNorm ->
 * last_hidden_state, its last token through a linear head -> pooler_output.
 */
import type { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { DataType, intAttr, intsAttr, tensorAttr } from '../../src/inference/onnx/onnxTypes';
import { newBuilder, stack } from './clipTowers';
import type { SyntheticClipOptions } from './syntheticClip';
import type { TransformerBuilder } from './transformerBlocks';

/** The vision tower: pixel_values [batch, 3, S, S] -> last_hidden_state [batch, (S/p)², D], pooler_output [batch, D]. */
export function buildSiglipVisionTower(o: SyntheticClipOptions): GraphBuilder {
  const t = newBuilder('vision_model', o, 1, false);
  const { g } = t;
  const d = o.width;
  const patchCount = Math.floor(o.imageSize / o.patchSize) ** 2;
  const pixels = g.input('pixel_values', DataType.FLOAT, ['batch_size', 3, o.imageSize, o.imageSize]);
  const patches = g.op('Add', [t.patchTokens(pixels, d, o.patchSize, 'embeddings.patch_embedding'), t.param('embeddings.patch_embedding.bias', [d], 0.02)]);
  const embedded = g.op('Add', [patches, t.param('embeddings.position_embedding.weight', [patchCount, d], 0.5)]);
  const encoded = t.encoder(embedded, stack(o, false), 'encoder', 'encoder_output');
  const hidden = t.layerNorm(encoded, d, 'post_layernorm', 'last_hidden_state');
  poolingHead(t, o, hidden, pixels, 'pooler_output');
  g.output(hidden, DataType.FLOAT, ['batch_size', patchCount, d]);
  g.output('pooler_output', DataType.FLOAT, ['batch_size', d]);
  return g;
}

/**
 * SiglipMultiheadAttentionPoolingHead: the probe [1, 1, D] tiled to the batch attends over `hidden` (torch's
 * nn.MultiheadAttention: q, k, v projections, softmax over the keys, out projection), then
 * probe' + MLP(LayerNorm(probe')), and its only token is the output.
 */
function poolingHead(t: TransformerBuilder, o: SyntheticClipOptions, hidden: string, batchOf: string, output: string): void {
  const { g } = t;
  const d = o.width;
  const headDim = d / o.heads;
  const p = 'head';
  const batch = g.op('Shape', [batchOf], [intAttr('start', 0), intAttr('end', 1)]);
  const probe = g.op('Expand', [t.param(`${p}.probe`, [1, 1, d], 1), g.op('Concat', [batch, t.int64s([1, d])], [intAttr('axis', 0)])]);
  const split = (x: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [x, t.int64s([0, 0, o.heads, headDim])])], [intsAttr('perm', perm)]);
  const q = split(g.op('Mul', [t.linear(probe, d, d, `${p}.attention.q_proj`), t.scalar(1 / Math.sqrt(headDim))]), [0, 2, 1, 3]);
  const k = split(t.linear(hidden, d, d, `${p}.attention.k_proj`), [0, 2, 3, 1]);
  const v = split(t.linear(hidden, d, d, `${p}.attention.v_proj`), [0, 2, 1, 3]);
  const probs = g.op('Softmax', [g.op('MatMul', [q, k])], [intAttr('axis', -1)]);
  const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], [intsAttr('perm', [0, 2, 1, 3])]), t.int64s([0, 0, d])]);
  const attended = t.linear(context, d, d, `${p}.attention.out_proj`);
  const pooled = g.op('Add', [attended, t.mlp(t.layerNorm(attended, d, `${p}.layernorm`), stack(o, false), `${p}.mlp`)]);
  g.op('Gather', [pooled, tokenIndex(g, 0)], [intAttr('axis', 1)], output);
}

/** A scalar int64 Constant, as torch exports `x[:, i, :]`'s index. */
function tokenIndex(g: GraphBuilder, index: number): string {
  return g.op('Constant', [], [tensorAttr('value', { name: '', dims: [], dataType: DataType.INT64, int64Data: [index] })]);
}

/** The text tower: input_ids [batch, sequence] int64 -> last_hidden_state [batch, sequence, D], pooler_output [batch, D]. */
export function buildSiglipTextTower(o: SyntheticClipOptions): GraphBuilder {
  const t = newBuilder('text_model', o, 2, false);
  const { g } = t;
  const d = o.textWidth;
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const tokenEmbeds = g.op('Gather', [t.param('embeddings.token_embedding.weight', [o.vocabSize, d], 1), ids]);
  const length = g.op('Shape', [ids], [intAttr('start', 1), intAttr('end', 2)]);
  const positions = g.op('Slice', [t.param('embeddings.position_embedding.weight', [o.maxLength, d], 0.5), t.int64s([0]), length, t.int64s([0])]);
  const encoded = t.encoder(g.op('Add', [tokenEmbeds, positions]), stack(o, true), 'encoder', 'encoder_output');
  const hidden = t.layerNorm(encoded, d, 'final_layer_norm', 'last_hidden_state');
  // HF: pooled_output = last_hidden_state[:, -1, :], then the head.
  g.op('Identity', [t.linear(g.op('Gather', [hidden, tokenIndex(g, -1)], [intAttr('axis', 1)]), d, d, 'head')], undefined, 'pooler_output');
  g.output(hidden, DataType.FLOAT, ['batch_size', 'sequence_length', d]);
  g.output('pooler_output', DataType.FLOAT, ['batch_size', d]);
  return g;
}
