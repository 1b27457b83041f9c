/**
 * The model side of the text-side perturbation analyses (text-token occlusion, MM-SHAP): a family scores pairs
 * of perturbed images and edited token ids of one text (PairPerturbation), and the helpers every family uses to
 * build one: the text as the model reads it, its edited rows as a padded batch, and the default mask token.
 */
import type { PairScoreBatch } from '../../analysis/perturbation/pairPerturbation';
import type { EncodedBatch, EncodedText, TextTokenizer } from '../model/tokenize';

/** What a family gives the text-side analyses for one image and one text. */
export interface PairPerturbation {
  /** The score explained: the cosine similarity (two-tower) or the ITM match probability (matchers). */
  kind: 'similarity' | 'itm';
  /** The text as the model reads it (special tokens included, no padding). */
  text: EncodedText;
  /** Ids the tokenizer puts around every text (start and end tokens); they are never hidden. */
  specialIds: ReadonlySet<number>;
  /** The id a hidden token becomes unless the caller names one (defaultMaskId). */
  defaultMaskId: number;
  /** Scores pairs of the batch's images and token rows. */
  score: PairScoreBatch;
}

/** The ids the tokenizer puts around every text: those of the empty text. */
export function specialIdsOf(tokenizer: TextTokenizer): ReadonlySet<number> {
  return new Set(tokenizer.encodeBatch(['']).items[0].ids);
}

/**
 * The token a hidden one becomes: the tokenizer's pad token, as MM-SHAP's authors mask (id 0 in their code,
 * BERT's [PAD] and the id OpenAI's CLIP tokenizer pads with). Where the pad token is the end token (Hugging Face's
 * CLIP and SigLIP tokenizers), id 0 as the authors: an end token in the middle of a CLIP text would move the
 * position CLIP pools at.
 */
export function defaultMaskId(tokenizer: TextTokenizer): number {
  return tokenizer.padId === tokenizer.eosId ? 0 : tokenizer.padId;
}

/**
 * The one-text batch `base` with its text's ids replaced by each of `rows` (as long as that text), padding and
 * attention mask kept: a hidden token is still attended to, as in the authors' code, only its id changes.
 */
export function editedBatch(base: EncodedBatch, rows: number[][]): EncodedBatch {
  const { length } = base;
  const item = base.items[0];
  const ids = new BigInt64Array(rows.length * length);
  const attentionMask = new BigInt64Array(rows.length * length);
  rows.forEach((row, r) => {
    if (row.length !== item.ids.length) throw new RangeError(`editedBatch: row ${r} has ${row.length} ids, the text ${item.ids.length}.`);
    ids.set(base.ids.subarray(0, length), r * length);
    attentionMask.set(base.attentionMask.subarray(0, length), r * length);
    row.forEach((id, k) => (ids[r * length + k] = BigInt(id)));
  });
  return { ids, attentionMask, length, items: rows.map((row) => ({ ...item, ids: row })) };
}
