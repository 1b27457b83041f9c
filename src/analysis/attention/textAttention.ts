/**
 * Attention among text tokens and from text tokens to the image. A text tower pads every input to a fixed
 * length (77 for CLIP); only the first n tokens are real, so the maps keep those and drop the rest.
 */
import { badInput, LensError } from '../../core/errors';
import { requireLength, requirePositiveInt } from '../shape';

/** Which heads a map shows: one head by index, or all heads fused elementwise by mean or max. */
export type HeadChoice = number | 'mean' | 'max';

/** Reads one cell of a layer (heads x T x T) as the chosen head or fusion of heads. */
function headReader(layer: Float32Array, heads: number, tokens: number, choice: HeadChoice): (q: number, k: number) => number {
  const size = tokens * tokens;
  if (typeof choice === 'number') {
    if (!Number.isInteger(choice) || choice < 0 || choice >= heads) throw badInput(`Head ${choice} does not exist.`, `Use a head from 0 to ${heads - 1}, or mean or max.`);
    return (q, k) => layer[choice * size + q * tokens + k];
  }
  if (choice !== 'mean' && choice !== 'max') throw badInput(`Unknown head fusion "${String(choice)}".`, 'Use a head number, mean or max.');
  const max = choice === 'max';
  return (q, k) => {
    let acc = max ? -Infinity : 0;
    for (let h = 0; h < heads; h++) {
      const p = layer[h * size + q * tokens + k];
      acc = max ? Math.max(acc, p) : acc + p;
    }
    return max ? acc : acc / heads;
  };
}

function requireRealLength(n: number, available: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > available) throw new LensError('internal', `${what}: real text length ${n} is outside 1..${available}.`);
}

/** Attention among the real tokens of a text, n x n row-major (queries are rows). */
export interface TextTokenAttention {
  n: number;
  /** The attention values; 0 where `masked` is 1. */
  values: Float32Array;
  /** 1 where the query cannot see the key (above the diagonal of a causal model), so a view can draw it apart from a real 0. */
  masked: Uint8Array;
  /** True when every entry above the diagonal of the real query rows, padding keys included, is exactly 0 in every head. */
  causal: boolean;
  /**
   * Per real query, its attention on the padding keys dropped from `values`, read with the same head choice
   * (for max, the sum of the per-key maxima); 0 for a causal model or one that masks its padding.
   */
  paddingMass: Float32Array;
}

/**
 * True when the real queries (rows 0..n−1) of every head put exactly 0 on every later key, padding included;
 * false when there is nothing above the diagonal to check (one token, no padding).
 */
function isCausal(layer: Float32Array, heads: number, tokens: number, n: number): boolean {
  if (tokens < 2) return false;
  for (let h = 0; h < heads; h++) {
    for (let q = 0; q < n; q++) {
      const row = h * tokens * tokens + q * tokens;
      for (let k = q + 1; k < tokens; k++) if (layer[row + k] !== 0) return false;
    }
  }
  return true;
}

/**
 * One layer of a text tower (`layer`: heads x L x L, row-major) cut to its first `n` real tokens, for one
 * head or the heads fused. Causality is read from the data, not assumed: a causal mask leaves exact zeros
 * above the diagonal after the softmax, which a real attention weight practically never is.
 */
export function textTokenAttention(layer: Float32Array, heads: number, tokens: number, n: number, choice: HeadChoice = 'mean'): TextTokenAttention {
  requirePositiveInt(heads, 'textTokenAttention: heads');
  requirePositiveInt(tokens, 'textTokenAttention: tokens');
  requireLength(layer, heads * tokens * tokens, 'textTokenAttention: layer');
  requireRealLength(n, tokens, 'textTokenAttention');
  const read = headReader(layer, heads, tokens, choice);
  const causal = isCausal(layer, heads, tokens, n);
  const values = new Float32Array(n * n);
  const masked = new Uint8Array(n * n);
  const paddingMass = new Float32Array(n);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      if (causal && k > q) masked[q * n + k] = 1;
      else values[q * n + k] = read(q, k);
    }
    let pad = 0;
    for (let k = n; k < tokens; k++) pad += read(q, k);
    paddingMass[q] = pad;
  }
  return { n, values, masked, causal, paddingMass };
}

/** Where text and image tokens sit in a single-stream model's joint sequence (`textEnd` exclusive). */
export interface JointTokenLayout {
  textStart: number;
  textEnd: number;
  /** First image token (the image CLS token when there is one). */
  imageStart: number;
  /** First patch token; the rows x cols patches follow in row-major order and end the image tokens. */
  firstPatch: number;
  rows: number;
  cols: number;
}

/** Attention from each real text token to the image. */
export interface TextToImageAttention {
  n: number;
  /** n maps of rows x cols, one per text token in order, each row-major: the attention on each patch. */
  maps: Float32Array;
  /** Per text token, its attention on all image tokens (the image CLS token included). */
  imageMass: Float32Array;
}

function checkLayout(tokens: number, layout: JointTokenLayout): void {
  const { textStart, textEnd, imageStart, firstPatch, rows, cols } = layout;
  requirePositiveInt(rows, 'textToImageAttention: rows');
  requirePositiveInt(cols, 'textToImageAttention: cols');
  const ints = [textStart, textEnd, imageStart, firstPatch].every((v) => Number.isInteger(v) && v >= 0);
  const imageEnd = firstPatch + rows * cols;
  if (!ints || textEnd <= textStart || textEnd > tokens || firstPatch < imageStart || imageEnd > tokens) {
    throw new LensError('internal', `textToImageAttention: layout text ${textStart}..${textEnd}, image ${imageStart}..${imageEnd} does not fit in ${tokens} tokens.`);
  }
}

/**
 * For a single-stream model: the attention of each of the first `n` text tokens on the image patches, from
 * one layer's joint attention (`joint`: heads x T x T, row-major), for one head or the heads fused.
 */
export function textToImageAttention(
  joint: Float32Array,
  heads: number,
  tokens: number,
  layout: JointTokenLayout,
  n: number,
  choice: HeadChoice = 'mean',
): TextToImageAttention {
  requirePositiveInt(heads, 'textToImageAttention: heads');
  requirePositiveInt(tokens, 'textToImageAttention: tokens');
  requireLength(joint, heads * tokens * tokens, 'textToImageAttention: joint');
  checkLayout(tokens, layout);
  requireRealLength(n, layout.textEnd - layout.textStart, 'textToImageAttention');
  const read = headReader(joint, heads, tokens, choice);
  const patches = layout.rows * layout.cols;
  const maps = new Float32Array(n * patches);
  const imageMass = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    const q = layout.textStart + t;
    let mass = 0;
    for (let k = layout.imageStart; k < layout.firstPatch + patches; k++) {
      const p = read(q, k);
      mass += p;
      if (k >= layout.firstPatch) maps[t * patches + k - layout.firstPatch] = p;
    }
    imageMass[t] = mass;
  }
  return { n, maps, imageMass };
}
