/**
 * The JSON files of a Hugging Face CLIP folder: config.json, preprocessor_config.json, and either a small
 * word-level tokenizer (tokenizer.json + tokenizer_config.json) or a copy of given tokenizer files.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyntheticClipOptions } from './syntheticClip';

/** The special token ids a text tower and config.json need. */
export interface SpecialTokenIds {
  bos: number;
  eos: number;
  pad: number;
}

/** A tokenizer's files as JSON values, by file name, and its special token ids. */
export interface TokenizerFiles {
  files: Record<string, unknown>;
  ids: SpecialTokenIds;
  /** The largest token id plus one. */
  vocabSize: number;
}

const start = '<|startoftext|>';
const end = '<|endoftext|>';
const unknown = '<unk>';
/** Files a tokenizer folder may hold; copied when present. */
const tokenizerFileNames = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt'];

/**
 * A word-level tokenizer in the Hugging Face tokenizer.json format: lower-cases, splits on whitespace, maps
 * unknown words to <unk> and wraps the sequence in <|startoftext|> ... <|endoftext|>, which also pads.
 * Ids: start 0, end 1, unknown 2, then the words.
 */
export function wordLevelTokenizer(words: string[], maxLength: number): TokenizerFiles {
  const vocab: Record<string, number> = { [start]: 0, [end]: 1, [unknown]: 2 };
  for (const word of words.map((w) => w.toLowerCase())) {
    if (/\s/.test(word) || word === '') throw new Error(`Tokenizer word "${word}" must be one non-empty word.`);
    vocab[word] ??= Object.keys(vocab).length;
  }
  const special = (content: string) => ({
    id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const token = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const tokenizer = {
    version: '1.0',
    truncation: { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 },
    padding: { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: vocab[end], pad_type_id: 0, pad_token: end },
    added_tokens: [special(start), special(end), special(unknown)],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token(start), { Sequence: { id: 'A', type_id: 0 } }, token(end)],
      pair: [token(start), { Sequence: { id: 'A', type_id: 0 } }, token(end), { Sequence: { id: 'B', type_id: 1 } }, token(end)],
      special_tokens: Object.fromEntries([start, end].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }])),
    },
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: unknown },
  };
  const config = {
    model_max_length: maxLength, bos_token: start, eos_token: end, pad_token: end, unk_token: unknown,
    do_lower_case: true, tokenizer_class: 'PreTrainedTokenizerFast', clean_up_tokenization_spaces: false,
  };
  return {
    files: { 'tokenizer.json': tokenizer, 'tokenizer_config.json': config },
    ids: { bos: vocab[start], eos: vocab[end], pad: vocab[end] },
    vocabSize: Object.keys(vocab).length,
  };
}

/**
 * Copies a tokenizer folder's files into `dir` and reads the ids of <|startoftext|> and <|endoftext|>;
 * `files` holds a tokenizer_config.json only when the folder has none.
 */
export function copyTokenizer(from: string, dir: string, maxLength: number): TokenizerFiles {
  const json = JSON.parse(readFileSync(join(from, 'tokenizer.json'), 'utf8')) as {
    added_tokens?: { id: number; content: string }[];
    model?: { vocab?: Record<string, number> };
  };
  for (const name of tokenizerFileNames) if (existsSync(join(from, name))) copyFileSync(join(from, name), join(dir, name));
  const ids = new Map<string, number>(Object.entries(json.model?.vocab ?? {}));
  for (const t of json.added_tokens ?? []) ids.set(t.content, t.id);
  const bos = ids.get(start);
  const eos = ids.get(end);
  if (bos === undefined || eos === undefined) throw new Error(`${from}/tokenizer.json has no ${start} or ${end} token.`);
  const files = existsSync(join(from, 'tokenizer_config.json')) ? {} : { 'tokenizer_config.json': { model_max_length: maxLength } };
  return { files, ids: { bos, eos, pad: eos }, vocabSize: Math.max(...ids.values()) + 1 };
}

/** config.json in HF CLIP style; `logit_scale` (our extension) is exp(logit_scale), the similarity scale. */
export function clipConfig(o: SyntheticClipOptions, ids: SpecialTokenIds): object {
  const act = o.activation === 'quickGelu' ? 'quick_gelu' : 'gelu';
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: o.projectionDim,
    logit_scale_init_value: Math.log(o.logitScale),
    logit_scale: o.logitScale,
    text_config: {
      model_type: 'clip_text_model', hidden_size: o.textWidth, intermediate_size: o.textWidth * o.mlpRatio,
      num_hidden_layers: o.textLayers, num_attention_heads: o.textHeads, max_position_embeddings: o.maxLength,
      vocab_size: o.vocabSize, bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad,
      hidden_act: act, layer_norm_eps: 1e-5, projection_dim: o.projectionDim,
    },
    vision_config: {
      model_type: 'clip_vision_model', image_size: o.imageSize, patch_size: o.patchSize, hidden_size: o.width,
      intermediate_size: o.width * o.mlpRatio, num_hidden_layers: o.layers, num_attention_heads: o.heads,
      num_channels: 3, hidden_act: act, layer_norm_eps: 1e-5, projection_dim: o.projectionDim,
    },
    mmlens_synthetic: { seed: o.seed, attention_layout: o.attentionLayout, fused_attention: o.fusedAttention },
  };
}

/**
 * config.json in HF SigLIP style (model_type siglip: towers with pooler_output, sigmoid scores); `logit_scale`
 * and `logit_bias` (our extension, as for CLIP) are the learned exp(scale) and bias of SiglipModel.
 */
export function siglipConfig(o: SyntheticClipOptions, ids: SpecialTokenIds): object {
  const tower = (width: number, layers: number, heads: number) => ({
    hidden_size: width, intermediate_size: Math.round(width * o.mlpRatio), num_hidden_layers: layers, num_attention_heads: heads,
    hidden_act: 'gelu_pytorch_tanh', layer_norm_eps: 1e-5,
  });
  return {
    architectures: ['SiglipModel'],
    model_type: 'siglip',
    logit_scale: o.logitScale,
    logit_bias: -10,
    text_config: {
      model_type: 'siglip_text_model', ...tower(o.textWidth, o.textLayers, o.textHeads), max_position_embeddings: o.maxLength,
      vocab_size: o.vocabSize, bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad,
    },
    vision_config: { model_type: 'siglip_vision_model', ...tower(o.width, o.layers, o.heads), image_size: o.imageSize, patch_size: o.patchSize, num_channels: 3 },
    mmlens_synthetic: { seed: o.seed, attention_layout: o.attentionLayout },
  };
}

/** preprocessor_config.json in HF SiglipImageProcessor style: a square resize, no crop, mean and std 0.5. */
export function siglipPreprocessorConfig(o: Pick<SyntheticClipOptions, 'imageSize'>): object {
  return {
    image_processor_type: 'SiglipImageProcessor',
    do_resize: true,
    size: { height: o.imageSize, width: o.imageSize },
    resample: 3,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
  };
}

/** preprocessor_config.json in HF CLIPImageProcessor style, with OpenAI CLIP's mean and std. */
export function preprocessorConfig(o: Pick<SyntheticClipOptions, 'imageSize'>): object {
  return {
    image_processor_type: 'CLIPImageProcessor',
    do_resize: true,
    size: { shortest_edge: o.imageSize },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: o.imageSize, width: o.imageSize },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
    do_convert_rgb: true,
  };
}
