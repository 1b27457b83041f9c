/**
 * Text to the model's input ids with the folder's own tokenizer.json (read by @huggingface/tokenizers, never
 * a hand-written BPE). That library neither truncates nor pads, so both are done here the way HF's
 * `tokenizer(texts, padding=True, truncation=True)` does them: the body is cut, the special tokens stay.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { badInput, badModel } from './errors';
import type { ModelFolder } from './modelFolder';
import { makeTokenDisplay, type TokenDisplay } from './tokenDisplay';
import { resolveSpecialIds } from './tokenizerSpecials';

/** One encoded text. */
export interface EncodedText {
  text: string;
  /** Display strings, special tokens included, padding excluded. */
  tokens: string[];
  ids: number[];
  /** True when the text was longer than the model takes and its end was cut. */
  truncated: boolean;
  /** Where the end token is: the first eos, the token HF's CLIP pools; the last token when there is no eos. */
  eosIndex: number;
}

/** A padded batch as the ONNX graph takes it: batch x length, row-major int64. */
export interface EncodedBatch {
  ids: BigInt64Array;
  attentionMask: BigInt64Array;
  length: number;
  items: EncodedText[];
}

/** Options for encodeBatch. */
export interface EncodeBatchOptions {
  /** Pad every row to this length (for graphs with a fixed sequence length); it also caps truncation. */
  padTo?: number;
}

/** The tokenizer of one model folder. */
export interface TextTokenizer {
  readonly maxLength: number;
  readonly padId: number;
  readonly eosId?: number;
  /** Encodes, truncates to maxLength (or padTo) and pads to the longest text (or padTo). */
  encodeBatch(texts: string[], opts?: EncodeBatchOptions): EncodedBatch;
}

/** Builds the tokenizer of a loaded model folder. */
export function loadTokenizer(folder: Pick<ModelFolder, 'tokenizerJson' | 'tokenizerConfig' | 'config'>): TextTokenizer {
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(folder.tokenizerJson, folder.tokenizerConfig);
  } catch (error) {
    throw badModel(
      'tokenizer.json',
      `cannot be loaded (${error instanceof Error ? error.message : String(error)})`,
      'Save the tokenizer again with transformers (`AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR)`) or export the model again.',
    );
  }
  const special = resolveSpecialIds(tokenizer, folder);
  const added = new Set([...tokenizer.get_added_tokens_decoder().values()].map((t) => t.content));
  const display = makeTokenDisplay(folder.tokenizerJson, added);
  return {
    ...special,
    encodeBatch: (texts, opts = {}) => encodeBatch(tokenizer, display, special, texts, opts),
  };
}

type Specials = Pick<TextTokenizer, 'maxLength' | 'padId' | 'eosId'>;

function encodeBatch(tokenizer: Tokenizer, display: TokenDisplay, special: Specials, texts: string[], opts: EncodeBatchOptions): EncodedBatch {
  if (texts.length === 0) throw badInput('No texts to encode.', 'Give at least one text.');
  if (opts.padTo !== undefined && !(Number.isInteger(opts.padTo) && opts.padTo > 0)) {
    throw new RangeError(`padTo must be a positive integer, got ${opts.padTo}`);
  }
  const limit = Math.min(special.maxLength, opts.padTo ?? Infinity);
  const items = texts.map((text) => encodeOne(tokenizer, display, special.eosId, text, limit));
  const length = opts.padTo ?? Math.max(...items.map((item) => item.ids.length));
  const ids = new BigInt64Array(texts.length * length).fill(BigInt(special.padId));
  const attentionMask = new BigInt64Array(texts.length * length);
  items.forEach((item, row) => {
    item.ids.forEach((id, col) => {
      ids[row * length + col] = BigInt(id);
      attentionMask[row * length + col] = 1n;
    });
  });
  return { ids, attentionMask, length, items };
}

function encodeOne(tokenizer: Tokenizer, display: TokenDisplay, eosId: number | undefined, text: string, limit: number): EncodedText {
  const full = tokenizer.encode(text);
  let { ids, tokens } = full;
  const truncated = ids.length > limit;
  if (truncated) {
    // Cut the body only: find where the post-processor's prefix ends, keep prefix + body head + suffix.
    const body = tokenizer.encode(text, { add_special_tokens: false });
    const extra = ids.length - body.ids.length;
    const keep = limit - extra;
    if (keep < 0) throw badModel('model', `its text length ${limit} cannot hold the ${extra} special tokens`, 'Use a model with a longer text input.');
    const start = bodyStart(ids, body.ids);
    const cut = <T>(all: T[], inner: T[]) => [...all.slice(0, start), ...inner.slice(0, keep), ...all.slice(start + inner.length)];
    ids = cut(ids, body.ids);
    tokens = cut(tokens, body.tokens);
  }
  const eos = eosId === undefined ? -1 : ids.indexOf(eosId);
  return { text, tokens: tokens.map(display), ids, truncated, eosIndex: eos >= 0 ? eos : ids.length - 1 };
}

function bodyStart(full: number[], body: number[]): number {
  for (let start = 0; start + body.length <= full.length; start++) {
    if (body.every((id, i) => full[start + i] === id)) return start;
  }
  throw new Error('The tokenizer post-processor changed the body tokens; cannot truncate.');
}
