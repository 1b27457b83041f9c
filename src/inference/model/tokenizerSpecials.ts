/**
 * The pad and end token ids and the length limit of a tokenizer. Model folders state them in several places
 * (tokenizer_config.json, tokenizer.json's padding and post-processor, config.json) and not always
 * consistently: the tokenizer files win because config.json ids are often stale (CLIP's say eos 2).
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { isJsonObject } from './configFields';
import type { ModelFolder } from './modelFolder';

/** What encodeBatch needs besides the tokenizer itself. */
export interface SpecialIds {
  maxLength: number;
  padId: number;
  eosId?: number;
}

/** Larger model_max_length values are transformers' "no limit" sentinel (1e30), not a real length. */
const SANE_MAX_LENGTH = 1_000_000;

/** Finds eos, pad and the length limit; pad falls back to eos, as CLIP pads with <|endoftext|>. */
export function resolveSpecialIds(
  tokenizer: Tokenizer,
  folder: Pick<ModelFolder, 'tokenizerJson' | 'tokenizerConfig' | 'config'>,
): SpecialIds {
  const { tokenizerJson, tokenizerConfig, config } = folder;
  const idOf = (token: unknown): number | undefined => {
    const content = isJsonObject(token) ? token.content : token;
    return typeof content === 'string' ? tokenizer.token_to_id(content) : undefined;
  };
  const eosId = idOf(tokenizerConfig.eos_token) ?? postProcessorSep(tokenizerJson.post_processor) ?? config.text.eosTokenId;
  const padding = isJsonObject(tokenizerJson.padding) ? tokenizerJson.padding : {};
  const paddingId = typeof padding.pad_id === 'number' ? padding.pad_id : undefined;
  const padId = idOf(tokenizerConfig.pad_token) ?? paddingId ?? config.text.padTokenId ?? eosId ?? 0;

  const declared = tokenizerConfig.model_max_length;
  const tokenizerLimit = typeof declared === 'number' && declared > 0 && declared < SANE_MAX_LENGTH ? declared : Infinity;
  // A single-stream model has only its layout's text slots, whatever the position table allows.
  const layout = config.tokenLayout;
  const textSlots = layout ? layout.textEnd - layout.textStart : Infinity;
  const result: SpecialIds = { maxLength: Math.min(config.text.maxLength, tokenizerLimit, textSlots), padId };
  if (eosId !== undefined) result.eosId = eosId;
  return result;
}

/** The `sep` of a Roberta/Bert post-processor, e.g. ["<|endoftext|>", 49407]. */
function postProcessorSep(processor: unknown): number | undefined {
  if (!isJsonObject(processor) || !Array.isArray(processor.sep)) return undefined;
  const id = processor.sep[1];
  return typeof id === 'number' ? id : undefined;
}
