/**
 * What a generative VLM's folder says beyond the shared model folder: config.json's image token and text config,
 * processor_config.json's image token, generation_config.json's end tokens, and the chat template. Field names
 * are Hugging Face's (LlavaConfig: image_token_index; newer configs: image_token_id; text_config of the decoder).
 */
import { join } from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import { badModel } from '../../../core/errors';
import { FieldReader, isJsonObject, type JsonObject } from '../../model/configFields';
import { readJsonFile } from '../../model/jsonFile';
import type { ModelFolder } from '../../model/modelFolder';
import { chatTemplateOf } from './chatPrompt';

/** A VLM folder's generation settings. */
export interface VlmConfig {
  imageToken: string;
  imageTokenId: number;
  /** Tokens that end the answer (generation_config.json, else config.json, else the tokenizer's end token). */
  endTokenIds: number[];
  /** The most positions the decoder takes (text_config.max_position_embeddings). */
  contextLength: number;
  chatTemplate?: string;
  bosToken?: string;
  eosToken?: string;
  /** Qwen2-VL's <|vision_start|> id, which its positions count from. */
  visionStartTokenId?: number;
}

const FIX = 'Use the config files from the model\'s repository (transformers.js layout).';

/** Reads the folder's VLM settings; `tokenizer` resolves token names to ids. */
export async function readVlmConfig(folder: ModelFolder, tokenizer: Tokenizer): Promise<VlmConfig> {
  const read = async (name: string) => {
    const value = await readJsonFile(join(folder.dir, name), name, FIX);
    if (value !== undefined && !isJsonObject(value)) throw badModel(name, 'must hold a JSON object', FIX);
    return value as JsonObject | undefined;
  };
  const [config, processor, generation, chatTemplateJson] = await Promise.all(['config.json', 'processor_config.json', 'generation_config.json', 'chat_template.json'].map(read));
  const fields = new FieldReader('config.json', FIX);
  const text = fields.object(config ?? {}, 'text_config') ?? {};
  const indexed = fields.number(config ?? {}, 'image_token_index', 'nonNegativeInt') ?? fields.number(config ?? {}, 'image_token_id', 'nonNegativeInt');
  const named = typeof processor?.image_token === 'string' ? processor.image_token : undefined;
  const imageToken = named ?? (indexed !== undefined ? tokenizer.id_to_token(indexed) : undefined) ?? '<image>';
  const imageTokenId = indexed ?? tokenizer.token_to_id(imageToken);
  if (imageTokenId === undefined) {
    throw badModel('config.json', `names no image token id (image_token_index), and the tokenizer has no ${imageToken} token`, FIX);
  }
  const tokenName = (key: string) => {
    const value = folder.tokenizerConfig[key];
    const content = isJsonObject(value) ? value.content : value;
    return typeof content === 'string' ? content : undefined;
  };
  const eosToken = tokenName('eos_token');
  const endTokenIds = idList(generation?.eos_token_id) ?? idList(config?.eos_token_id) ?? idList(text.eos_token_id)
    ?? idList(eosToken !== undefined ? tokenizer.token_to_id(eosToken) : undefined) ?? [];
  // Qwen2-VL keeps its decoder's fields at the root of config.json.
  const contextLength = fields.number(text, 'max_position_embeddings', 'positiveInt', 'text_config.max_position_embeddings') ?? fields.number(config ?? {}, 'max_position_embeddings', 'positiveInt') ?? 4096;
  return {
    imageToken, imageTokenId, endTokenIds, contextLength,
    chatTemplate: chatTemplateOf(folder.tokenizerConfig, chatTemplateJson), bosToken: tokenName('bos_token'), eosToken,
    visionStartTokenId: fields.number(config ?? {}, 'vision_start_token_id', 'nonNegativeInt'),
  };
}

/** A token id or a list of them, as generation_config.json writes eos_token_id. */
function idList(value: unknown): number[] | undefined {
  const ids = Array.isArray(value) ? value : [value];
  return ids.length > 0 && ids.every((id) => Number.isInteger(id) && (id as number) >= 0) ? (ids as number[]) : undefined;
}
