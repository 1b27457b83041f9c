/**
 * The two towers of a CLIP model with Hugging Face's architecture and output names, from seeded weights.
 * Vision: Conv patch embedding (no bias), CLS token, position embedding, pre-LayerNorm, encoder; outputs
 * last_hidden_state (the encoder output, before the post-LayerNorm) and image_embeds =
 * MatMul(LayerNorm(last_hidden_state[:, 0, :]), projection). Text: token + position embeddings, causal
 * encoder, final LayerNorm -> last_hidden_state, pooled at the first end token -> text_embeds.
 */
import { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { DataType, intAttr, tensorAttr } from '../../src/inference/onnx/onnxTypes';
import { SeededRandom } from './seededRandom';
import { TransformerBuilder, type StackConfig } from './transformerBlocks';
import type { SyntheticClipOptions } from './syntheticClip';

const microsoftOpset = { domain: 'com.microsoft', version: 1 };

/** A builder for one tower's graph, with that tower's own seeded weight stream (`salt` 1 vision, 2 text). */
export function newBuilder(name: string, o: SyntheticClipOptions, salt: number, quantized: boolean): TransformerBuilder {
  const g = new GraphBuilder({ name, producerName: 'multimodal-lens synthetic CLIP', extraOpsets: o.fusedAttention ? [microsoftOpset] : [] });
  // Separate streams per tower, so changing one tower's size leaves the other's weights alone.
  return new TransformerBuilder(g, new SeededRandom(o.seed * 2 + salt), quantized);
}

/** One tower's encoder stack; CLIP's text tower is causal, SigLIP's is not. */
export function stack(o: SyntheticClipOptions, text: boolean): StackConfig {
  return {
    width: text ? o.textWidth : o.width,
    heads: text ? o.textHeads : o.heads,
    layers: text ? o.textLayers : o.layers,
    mlpRatio: o.mlpRatio,
    layout: o.attentionLayout,
    fused: o.fusedAttention,
    activation: o.activation,
    causal: text && o.family === 'clip',
    maxTokens: text ? o.maxLength : 0,
  };
}

/**
 * The vision tower: pixel_values [batch, 3, S, S] -> last_hidden_state [batch, T, D], image_embeds [batch, P];
 * `quantized`: its linear layers in dynamic int8 form (the projection stays float).
 */
export function buildVisionTower(o: SyntheticClipOptions, quantized = false): GraphBuilder {
  const t = newBuilder('vision_model', o, 1, quantized);
  const { g } = t;
  const d = o.width;
  const grid = o.imageSize / o.patchSize;
  const tokens = grid * grid + 1;
  const pixels = g.input('pixel_values', DataType.FLOAT, ['batch_size', 3, o.imageSize, o.imageSize]);
  const patches = t.patchTokens(pixels, d, o.patchSize, 'embeddings.patch_embedding');
  const embedded = g.op('Add', [
    t.prependClass(patches, pixels, d, 'embeddings.class_embedding'),
    t.param('embeddings.position_embedding.weight', [tokens, d], 0.5),
  ]);
  const hidden = t.encoder(t.layerNorm(embedded, d, 'pre_layrnorm'), stack(o, false), 'encoder', 'last_hidden_state');
  // HF: pooled_output = last_hidden_state[:, 0, :], exported as Gather with a Constant scalar index.
  const first = g.op('Constant', [], [tensorAttr('value', { name: '', dims: [], dataType: DataType.INT64, int64Data: [0] })]);
  const pooled = t.layerNorm(g.op('Gather', [hidden, first], [intAttr('axis', 1)]), d, 'post_layernorm');
  g.op('MatMul', [pooled, t.param('visual_projection.weight', [d, o.projectionDim], 1 / Math.sqrt(d))], undefined, 'image_embeds');
  g.output('image_embeds', DataType.FLOAT, ['batch_size', o.projectionDim]);
  g.output(hidden, DataType.FLOAT, ['batch_size', tokens, d]);
  return g;
}

/**
 * The text tower: input_ids [batch, sequence] int64 -> last_hidden_state [batch, sequence, D], text_embeds [batch, P];
 * `quantized` as for the vision tower.
 */
export function buildTextTower(o: SyntheticClipOptions, eosTokenId: number, quantized = false): GraphBuilder {
  const t = newBuilder('text_model', o, 2, quantized);
  const { g } = t;
  const d = o.textWidth;
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const tokenEmbeds = g.op('Gather', [t.param('embeddings.token_embedding.weight', [o.vocabSize, d], 1), ids]);
  const length = g.op('Shape', [ids], [intAttr('start', 1), intAttr('end', 2)]);
  const positions = g.op('Slice', [t.param('embeddings.position_embedding.weight', [o.maxLength, d], 0.5), t.int64s([0]), length, t.int64s([0])]);
  const encoded = t.encoder(g.op('Add', [tokenEmbeds, positions]), stack(o, true), 'encoder', 'encoder_output');
  const hidden = t.layerNorm(encoded, d, 'final_layer_norm', 'last_hidden_state');
  // HF pools at the first end token: argmax of the ids when the end token has the largest id, else of ids == eos.
  const asInt = (x: string) => g.op('Cast', [x], [intAttr('to', DataType.INT32)]);
  const marks = eosTokenId === o.vocabSize - 1 ? asInt(ids) : asInt(g.op('Equal', [ids, g.int64Initializer('eos_token_id', [eosTokenId], [])]));
  const position = g.op('ArgMax', [marks], [intAttr('axis', -1), intAttr('keepdims', 1)]);
  const pooled = g.op('GatherND', [hidden, position], [intAttr('batch_dims', 1)]);
  g.op('MatMul', [pooled, t.param('text_projection.weight', [d, o.projectionDim], 1 / Math.sqrt(d))], undefined, 'text_embeds');
  g.output('text_embeds', DataType.FLOAT, ['batch_size', o.projectionDim]);
  g.output(hidden, DataType.FLOAT, ['batch_size', 'sequence_length', d]);
  return g;
}
