/**
 * The JSON files of a synthetic VLM folder, in the form of test/fixtures/tiny-llava (transformers.js's
 * image-text-to-text layout): config.json (LlavaConfig with a Llama text_config), preprocessor_config.json
 * (CLIPImageProcessor), processor_config.json (LlavaProcessor's image token), a word-level tokenizer.json with
 * `<image>` as an added token, tokenizer_config.json with llava-1.5's chat template, special_tokens_map.json and
 * generation_config.json.
 */
import type { SyntheticVlmOptions } from './syntheticVlm';

const specials = ['<s>', '</s>', '<pad>', '<unk>', '<image>'];
/** Ids of the special tokens, in `specials` order. */
export const VLM_TOKEN_IDS = { bos: 0, eos: 1, pad: 2, unknown: 3, image: 4 } as const;
/** Words first, so prompts such as "Describe the image." read as words; the rest of the vocabulary is filler. */
const words = ['user', 'assistant', ':', '.', '?', 'describe', 'the', 'image', 'a', 'red', 'green', 'blue', 'circle',
  'square', 'triangle', 'left', 'right', 'of', 'what', 'colour', 'is', 'where', 'how', 'many', 'shapes', 'and'];

/** llava-hf/llava-1.5's template: content items of type image and text, USER / ASSISTANT turns. */
const chatTemplate = "{% for message in messages %}{% if message['role'] == 'user' %}USER: {% else %}ASSISTANT: {% endif %}"
  + "{% for item in message['content'] %}{% if item['type'] == 'text' %}{{ item['text'] }}"
  + "{% elif item['type'] == 'image' %}<image>\n{% endif %}{% endfor %}"
  + "{% if message['role'] == 'user' %} {% else %}{{ eos_token }}{% endif %}{% endfor %}"
  + '{% if add_generation_prompt %}ASSISTANT:{% endif %}';

const clipMean = [0.48145466, 0.4578275, 0.40821073];
const clipStd = [0.26862954, 0.26130258, 0.27577711];

/** Every JSON file of the folder, by name. */
export function vlmJsonFiles(o: SyntheticVlmOptions): Record<string, unknown> {
  const { decoder: d, vision: v } = o;
  const ids = { bos_token_id: VLM_TOKEN_IDS.bos, eos_token_id: o.endTokenId, pad_token_id: VLM_TOKEN_IDS.pad };
  const tokens = { bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>' };
  return {
    'config.json': {
      architectures: ['LlavaForConditionalGeneration'], model_type: 'llava', image_token_index: VLM_TOKEN_IDS.image,
      projector_hidden_act: 'gelu', vision_feature_layer: -1, vision_feature_select_strategy: 'full',
      vision_config: {
        hidden_size: v.width, intermediate_size: 4 * v.width, num_hidden_layers: v.layers, num_attention_heads: v.heads,
        image_size: v.imageSize, patch_size: v.patchSize, hidden_act: 'quick_gelu', model_type: 'clip_vision_model',
      },
      text_config: {
        hidden_size: d.hidden, intermediate_size: d.intermediate, num_hidden_layers: d.layers, num_attention_heads: d.heads,
        num_key_value_heads: d.kvHeads, head_dim: d.headDim, vocab_size: d.vocab, max_position_embeddings: o.maxPositions,
        rms_norm_eps: d.rmsEps, rope_theta: d.ropeTheta, hidden_act: 'silu', model_type: 'llama', tie_word_embeddings: false, ...ids,
      },
      mmlens_synthetic: { seed: o.seed, fused_attention: d.fusedAttention },
    },
    'preprocessor_config.json': {
      image_processor_type: 'CLIPImageProcessor', do_resize: true, size: { shortest_edge: v.imageSize }, resample: 3,
      do_center_crop: true, crop_size: { height: v.imageSize, width: v.imageSize }, do_rescale: true, rescale_factor: 1 / 255,
      do_normalize: true, image_mean: clipMean, image_std: clipStd, do_convert_rgb: true,
    },
    'processor_config.json': {
      image_token: '<image>', patch_size: v.patchSize, num_additional_image_tokens: 0, vision_feature_select_strategy: 'full', processor_class: 'LlavaProcessor',
    },
    'tokenizer.json': tokenizerJson(d.vocab),
    'tokenizer_config.json': {
      tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: o.maxPositions, add_bos_token: true, chat_template: chatTemplate, ...tokens,
    },
    'special_tokens_map.json': tokens,
    'generation_config.json': ids,
  };
}

/**
 * Word-level over the whole vocabulary (every id the decoder can emit decodes): lower-cased, words and
 * punctuation apart, <s> before each text, pieces joined with spaces.
 */
function tokenizerJson(vocabSize: number): object {
  if (vocabSize < specials.length + words.length) throw new Error(`A synthetic VLM needs a vocabulary of at least ${specials.length + words.length} tokens.`);
  const vocab: Record<string, number> = {};
  [...specials, ...words].forEach((token, id) => (vocab[token] = id));
  for (let id = specials.length + words.length; id < vocabSize; id++) vocab[`w${id}`] = id;
  const added = specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const bos = { SpecialToken: { id: '<s>', type_id: 0 } };
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added,
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [VLM_TOKEN_IDS.bos], tokens: ['<s>'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
}
