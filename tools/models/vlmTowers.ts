/**
 * The two small graphs beside a synthetic VLM's decoder, as transformers.js names them: vision_encoder
 * (pixel_values [b, 3, S, S] -> image_features [b, patches, decoder width]: a ViT over the patches, no CLS,
 * then LLaVA's projector, linear-GELU-linear) and embed_tokens (input_ids -> inputs_embeds, one Gather).
 */
import { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { DataType } from '../../src/inference/onnx/onnxTypes';
import { SeededRandom } from './seededRandom';
import { TransformerBuilder } from './transformerBlocks';

/** The vision tower's shape. */
export interface VisionTowerConfig {
  imageSize: number;
  patchSize: number;
  width: number;
  layers: number;
  heads: number;
}

const producerName = 'multimodal-lens synthetic VLM';

/** The vision encoder: patches, position embeddings, a pre-norm encoder and the projector into `textWidth`. */
export function buildVisionEncoder(v: VisionTowerConfig, textWidth: number, seed: number): GraphBuilder {
  const t = new TransformerBuilder(new GraphBuilder({ name: 'vision_encoder', producerName }), new SeededRandom(seed));
  const { g } = t;
  const tokens = (v.imageSize / v.patchSize) ** 2;
  const pixels = g.input('pixel_values', DataType.FLOAT, ['batch_size', 3, v.imageSize, v.imageSize]);
  const patches = t.patchTokens(pixels, v.width, v.patchSize, 'vision_tower.embeddings.patch_embedding');
  const embedded = t.layerNorm(g.op('Add', [patches, t.param('vision_tower.embeddings.position_embedding.weight', [tokens, v.width], 0.5)]), v.width, 'vision_tower.pre_layrnorm');
  const stack = { width: v.width, heads: v.heads, layers: v.layers, mlpRatio: 4, layout: '4d', fused: false, activation: 'quickGelu', causal: false, maxTokens: 0 } as const;
  const hidden = t.encoder(embedded, stack, 'vision_tower.encoder', 'vision_hidden');
  const up = t.linear(hidden, v.width, textWidth, 'multi_modal_projector.linear_1');
  const gelu = g.op('Mul', [g.op('Mul', [up, t.scalar(0.5)]), g.op('Add', [g.op('Erf', [g.op('Div', [up, t.scalar(Math.SQRT2)])]), t.scalar(1)])]);
  g.op('Identity', [t.linear(gelu, textWidth, textWidth, 'multi_modal_projector.linear_2')], undefined, 'image_features');
  g.output('image_features', DataType.FLOAT, ['batch_size', tokens, textWidth]);
  return g;
}

/** embed_tokens: input_ids [b, seq] int64 -> inputs_embeds [b, seq, width], rows of unit scale. */
export function buildEmbedTokens(vocab: number, width: number, seed: number): GraphBuilder {
  const t = new TransformerBuilder(new GraphBuilder({ name: 'embed_tokens', producerName }), new SeededRandom(seed));
  const ids = t.g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  t.g.op('Gather', [t.param('model.embed_tokens.weight', [vocab, width], 1), ids], undefined, 'inputs_embeds');
  t.g.output('inputs_embeds', DataType.FLOAT, ['batch_size', 'sequence_length', width]);
  return t.g;
}
