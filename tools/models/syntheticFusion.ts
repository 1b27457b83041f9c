/**
 * Writes a synthetic single-stream (ViLT-like) model folder from seeded random weights, in the layout of the
 * shipped shapes-fusion model: onnx/model.onnx takes input_ids and attention_mask [batch, L] (L fixed) and
 * pixel_values, runs one transformer over [text tokens; optional image CLS, patches row-major] with padded
 * keys masked before every Softmax, and outputs itm_logits from token 0 and last_hidden_state; config.json
 * carries the token_layout. Tests use it where the trained model is not available.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { DataType, intAttr } from '../../src/inference/onnx/onnxTypes';
import { preprocessorConfig, wordLevelTokenizer, type SpecialTokenIds } from './clipFiles';
import { SeededRandom } from './seededRandom';
import { demoWords } from './syntheticClip';
import { TransformerBuilder, type AttentionLayout } from './transformerBlocks';

/** Every knob of a synthetic single-stream model. */
export interface SyntheticFusionOptions {
  imageSize: number;
  patchSize: number;
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  /** The fixed text length L: every text is padded (or cut) to it. */
  textLength: number;
  seed: number;
  /** Put a learned image CLS token before the patches. */
  imageCls: boolean;
  /** 2: itm_logits [batch, 2] (index 1 = match), as ViLT; 1: one match logit [batch, 1], read with a sigmoid. */
  itmLogits: 1 | 2;
  attentionLayout: AttentionLayout;
  /** Words of the word-level tokenizer. */
  words: string[];
}

/** What was written. */
export interface SyntheticFusionInfo {
  dir: string;
  options: SyntheticFusionOptions;
  tokenIds: SpecialTokenIds;
  /** Image tokens, the image CLS included. */
  imageTokens: number;
  /** Length of the joint sequence: L + image tokens. */
  tokens: number;
}

const base: SyntheticFusionOptions = {
  imageSize: 32, patchSize: 8, width: 32, layers: 2, heads: 4, mlpRatio: 4, textLength: 8, seed: 0,
  imageCls: false, itmLogits: 2, attentionLayout: '4d', words: demoWords,
};

/** Writes config.json, preprocessor_config.json, the tokenizer files and onnx/model.onnx into `dir`. */
export function writeSyntheticFusion(dir: string, options: Partial<SyntheticFusionOptions> = {}): SyntheticFusionInfo {
  const o = { ...base, ...options };
  if (o.imageSize % o.patchSize !== 0 || o.width % o.heads !== 0) {
    throw new Error(`Synthetic fusion options: imageSize must be a multiple of patchSize and width of heads (got ${o.imageSize}/${o.patchSize}, ${o.width}/${o.heads}).`);
  }
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const tokenizer = wordLevelTokenizer(o.words, o.textLength);
  const grid = o.imageSize / o.patchSize;
  const imageTokens = grid * grid + (o.imageCls ? 1 : 0);
  const json = (name: string, value: unknown) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  for (const [name, value] of Object.entries(tokenizer.files)) json(name, value);
  json('config.json', fusionConfig(o, tokenizer.ids, tokenizer.vocabSize, grid, imageTokens));
  json('preprocessor_config.json', preprocessorConfig(o));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), buildFusionGraph(o, tokenizer.vocabSize, imageTokens).toBytes());
  return { dir, options: o, tokenIds: tokenizer.ids, imageTokens, tokens: o.textLength + imageTokens };
}

function fusionConfig(o: SyntheticFusionOptions, ids: SpecialTokenIds, vocabSize: number, grid: number, imageTokens: number): object {
  const L = o.textLength;
  return {
    model_type: 'shapes-fusion',
    architectures: ['ShapesFusion'],
    hidden_size: o.width,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    vision_config: { image_size: o.imageSize, patch_size: o.patchSize, num_channels: 3 },
    text_config: { max_position_embeddings: L, vocab_size: vocabSize, bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad },
    itm_labels: o.itmLogits === 2 ? { 0: 'no match', 1: 'match' } : { 0: 'match' },
    token_layout: {
      text_start: 0, text_end: L, image_start: L, image_tokens: imageTokens,
      image_cls: o.imageCls ? L : null, cls_index: 0, rows: grid, cols: grid,
    },
    mmlens_synthetic: { seed: o.seed, attention_layout: o.attentionLayout, itm_logits: o.itmLogits },
  };
}

/** The joint graph; parameter names follow tools/train/fusion_model.py. */
function buildFusionGraph(o: SyntheticFusionOptions, vocabSize: number, imageTokens: number): GraphBuilder {
  const t = new TransformerBuilder(new GraphBuilder({ name: 'fusion_model', producerName: 'multimodal-lens synthetic fusion' }), new SeededRandom(o.seed));
  const { g } = t;
  const d = o.width;
  const L = o.textLength;
  const ids = g.input('input_ids', DataType.INT64, ['batch', L]);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', L]);
  const pixels = g.input('pixel_values', DataType.FLOAT, ['batch', 3, o.imageSize, o.imageSize]);

  const add = (...terms: string[]) => terms.reduce((sum, term) => g.op('Add', [sum, term]));
  const text = add(g.op('Gather', [t.param('token_embedding.weight', [vocabSize, d], 1), ids]), t.param('text_pos', [L, d], 0.5), t.param('type_embedding.text', [d], 0.2));
  let image = t.patchTokens(pixels, d, o.patchSize, 'patch_embed');
  if (o.imageCls) image = t.prependClass(image, pixels, d, 'image_cls');
  image = add(image, t.param('image_pos', [imageTokens, d], 0.5), t.param('type_embedding.image', [d], 0.2));
  const joint = g.op('Concat', [text, image], [intAttr('axis', 1)]);

  // Image keys are always attended; text keys only where attention_mask is 1.
  const imageShape = g.op('Concat', [g.op('Shape', [ids], [intAttr('start', 0), intAttr('end', 1)]), t.int64s([imageTokens])], [intAttr('axis', 0)]);
  const keep = g.op('Concat', [g.op('Cast', [mask], [intAttr('to', DataType.FLOAT)]), g.op('Expand', [t.scalar(1), imageShape])], [intAttr('axis', 1)]);
  const stack = { width: d, heads: o.heads, layers: o.layers, mlpRatio: o.mlpRatio, layout: o.attentionLayout, fused: false, activation: 'gelu' as const, causal: false, maxTokens: 0 };
  const encoded = t.encoder(joint, stack, 'encoder', 'encoder_output', t.keyPaddingBias(keep));
  const hidden = t.layerNorm(encoded, d, 'ln_final', 'last_hidden_state');

  const first = g.op('Gather', [hidden, g.int64Initializer('first_token', [0], [])], [intAttr('axis', 1)]);
  const pooled = g.op('Tanh', [t.linear(first, d, d, 'pooler')]);
  g.op('Identity', [t.linear(pooled, d, o.itmLogits, 'itm_head')], undefined, 'itm_logits');
  g.output('itm_logits', DataType.FLOAT, ['batch', o.itmLogits]);
  g.output(hidden, DataType.FLOAT, ['batch', L + imageTokens, d]);
  return g;
}
