/**
 * Text to the model's input ids with the folder's own tokenizer.json (read by @huggingface/tokenizers, never
 * a hand-written BPE). That library neither truncates nor pads, so both are done here the way HF's
 * `tokenizer(texts, padding=True, truncation=True)` does them: the body is cut, the special tokens stay.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { badInput, badModel } from '../../core/errors';
import { throwIfCancelled } from '../../core/progress';
import { quoteJson } from '../../core/quoteJson';
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
  /**
   * The same batch, encoded a slice at a time: it yields to the event loop every ~20 ms and stops with a
   * 'cancelled' LensError once `signal` fires. 16,000 label prompts of 5,000 characters take about a minute to
   * tokenise; the extension host must stay responsive and able to cancel meanwhile. One text is never split.
   */
  encodeBatchAsync(texts: string[], opts?: EncodeBatchOptions & { signal?: AbortSignal }): Promise<EncodedBatch>;
}

/** How long encodeBatchAsync works before it yields to the event loop. */
const SLICE_MS = 20;

const RESAVE = 'Save the tokenizer again with transformers (`AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR)`) or export the model again.';

/** The folder's tokenizer.json as @huggingface/tokenizers reads it, or a badModel error saying why it cannot be. */
export function openTokenizer(folder: Pick<ModelFolder, 'tokenizerJson' | 'tokenizerConfig'>): Tokenizer {
  try {
    return new Tokenizer(folder.tokenizerJson, folder.tokenizerConfig);
  } catch (error) {
    // The tokenizer library walks the file's values recursively: a value nested thousands deep overflows its stack.
    const reason = error instanceof RangeError && /call stack/.test(error.message) ? 'a value is nested too deeply to read' : error instanceof Error ? error.message : String(error);
    throw badModel('tokenizer.json', `cannot be loaded (${reason})`, RESAVE);
  }
}

/** Builds the tokenizer of a loaded model folder. */
export function loadTokenizer(folder: Pick<ModelFolder, 'tokenizerJson' | 'tokenizerConfig' | 'config'>): TextTokenizer {
  const tokenizer = openTokenizer(folder);
  const special = resolveSpecialIds(tokenizer, folder);
  for (const [name, id] of [['pad', special.padId], ['end', special.eosId ?? 0]] as const) {
    if (!isTokenId(id)) throw badModel('tokenizer.json', `its ${name} token has the id ${quoteJson(id)}, not a whole number`, RESAVE);
  }
  const added = new Set([...tokenizer.get_added_tokens_decoder().values()].map((t) => t.content));
  const display = makeTokenDisplay(folder.tokenizerJson, added);
  return {
    ...special,
    encodeBatch: (texts, opts = {}) => {
      const limit = batchLimit(texts, special, opts);
      return assembleBatch(texts.map((text) => encodeOne(tokenizer, display, special.eosId, text, limit)), special, opts);
    },
    encodeBatchAsync: async (texts, opts = {}) => {
      const limit = batchLimit(texts, special, opts);
      const items: EncodedText[] = [];
      let sliceStart = performance.now();
      for (const text of texts) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        throwIfCancelled(opts.signal);
        items.push(encodeOne(tokenizer, display, special.eosId, text, limit));
      }
      return assembleBatch(items, special, opts);
    },
  };
}

type Specials = Pick<TextTokenizer, 'maxLength' | 'padId' | 'eosId'>;

/** Checks the batch's arguments; the length a text is cut to. */
function batchLimit(texts: string[], special: Specials, opts: EncodeBatchOptions): number {
  if (texts.length === 0) throw badInput('No texts to encode.', 'Give at least one text.');
  if (opts.padTo !== undefined && !(Number.isInteger(opts.padTo) && opts.padTo > 0)) {
    throw new RangeError(`padTo must be a positive integer, got ${opts.padTo}`);
  }
  return Math.min(special.maxLength, opts.padTo ?? Infinity);
}

/** The encoded texts as one padded batch. */
function assembleBatch(items: EncodedText[], special: Specials, opts: EncodeBatchOptions): EncodedBatch {
  // reduce, not Math.max(...): a spread of 200,000 lengths overflows the call stack.
  const length = opts.padTo ?? items.reduce((longest, item) => Math.max(longest, item.ids.length), 0);
  const ids = new BigInt64Array(items.length * length).fill(BigInt(special.padId));
  const attentionMask = new BigInt64Array(items.length * length);
  items.forEach((item, row) => {
    item.ids.forEach((id, col) => {
      ids[row * length + col] = BigInt(id);
      attentionMask[row * length + col] = 1n;
    });
  });
  return { ids, attentionMask, length, items };
}

function encodeOne(tokenizer: Tokenizer, display: TokenDisplay, eosId: number | undefined, text: string, limit: number): EncodedText {
  let { ids, tokens } = encodeChecked(tokenizer, text, true);
  const truncated = ids.length > limit;
  if (truncated) {
    // Cut the body only: find where the post-processor's prefix ends, keep prefix + body head + suffix.
    const body = encodeChecked(tokenizer, text, false);
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

/**
 * The library's encode, checked: a tokenizer.json it accepts can still fail or give non-numeric ids when
 * applied (a broken vocabulary, post-processor or unknown token), which is the model folder's fault.
 */
export function encodeChecked(tokenizer: Tokenizer, text: string, addSpecialTokens: boolean): { ids: number[]; tokens: string[] } {
  const quoted = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  let encoded: { ids: number[]; tokens: string[] };
  try {
    encoded = tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
  } catch (error) {
    throw badModel('tokenizer.json', `fails to encode ${quoted} (${error instanceof Error ? error.message : String(error)})`, RESAVE);
  }
  const bad = encoded.ids.findIndex((id, i) => !isTokenId(id) || typeof encoded.tokens[i] !== 'string');
  if (bad >= 0 || encoded.tokens.length !== encoded.ids.length) {
    throw badModel('tokenizer.json', `gives the token ${quoteJson(encoded.tokens[bad])} the id ${quoteJson(encoded.ids[bad])} in ${quoted}; ids must be whole numbers`, RESAVE);
  }
  return encoded;
}

function isTokenId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

function bodyStart(full: number[], body: number[]): number {
  for (let start = 0; start + body.length <= full.length; start++) {
    if (body.every((id, i) => full[start + i] === id)) return start;
  }
  throw new Error('The tokenizer post-processor changed the body tokens; cannot truncate.');
}
