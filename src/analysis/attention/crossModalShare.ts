/**
 * Cross-modal attention share of a single-stream model: per layer and head, how much attention crosses from
 * text to image and back, and how much stays within its own modality. Heads that mix modalities stand out
 * in the z-scores.
 */
import type { TokenLayout } from '../../core/tokenLayout';
import { LensError } from '../../core/errors';
import { requireLength, requirePositiveInt } from '../shape';

/** The token ranges the share needs; a model's `TokenLayout` fits. */
export type ShareLayout = Pick<TokenLayout, 'textStart' | 'textEnd' | 'imageStart' | 'imageTokens'>;

/** Three layers x heads matrices (row-major) of attention mass, each value in 0..1 for softmax attention. */
export interface CrossModalShare {
  layers: number;
  heads: number;
  /** Mean over real text queries of their attention on the image tokens. */
  textToImage: Float32Array;
  /** Mean over image queries of their attention on the real text tokens. */
  imageToText: Float32Array;
  /**
   * Mean over all real queries (text and image) of their attention on their own modality: real text keys for
   * a text query, image keys for an image query. Mass on padding or on tokens outside both ranges (a joint
   * CLS token) counts in none of the three, so the three need not add up to 1.
   */
  withinModality: Float32Array;
}

/**
 * The cross-modal share of one item: `attention[l]` is layer l's joint attention, heads x T x T row-major
 * (rows are queries); `textMask` has one entry per position of [textStart, textEnd), nonzero for a real token.
 */
export function crossModalShare(attention: Float32Array[], heads: number, tokens: number, layout: ShareLayout, textMask: ArrayLike<number>): CrossModalShare {
  requirePositiveInt(heads, 'crossModalShare: heads');
  requirePositiveInt(tokens, 'crossModalShare: tokens');
  const { textStart, textEnd, imageStart, imageTokens } = layout;
  const imageEnd = imageStart + imageTokens;
  if (textStart < 0 || textEnd <= textStart || textEnd > tokens || imageStart < 0 || imageTokens <= 0 || imageEnd > tokens) {
    throw new LensError('internal', `crossModalShare: text ${textStart}..${textEnd} and image ${imageStart}..${imageEnd} do not fit in ${tokens} tokens.`);
  }
  requireLength(textMask, textEnd - textStart, 'crossModalShare: textMask');
  const text: number[] = [];
  for (let t = textStart; t < textEnd; t++) if (textMask[t - textStart] !== 0) text.push(t);
  if (text.length === 0) throw new LensError('internal', 'crossModalShare: the text mask marks no real token.');

  const size = attention.length * heads;
  const share: CrossModalShare = { layers: attention.length, heads, textToImage: new Float32Array(size), imageToText: new Float32Array(size), withinModality: new Float32Array(size) };
  attention.forEach((layer, l) => {
    requireLength(layer, heads * tokens * tokens, `crossModalShare: layer ${l}`);
    for (let h = 0; h < heads; h++) {
      const row = (q: number) => (h * tokens + q) * tokens;
      const onImage = (q: number) => {
        let sum = 0;
        for (let k = imageStart; k < imageEnd; k++) sum += layer[row(q) + k];
        return sum;
      };
      const onText = (q: number) => text.reduce((sum, k) => sum + layer[row(q) + k], 0);
      let textToImage = 0;
      let textToText = 0;
      for (const q of text) {
        textToImage += onImage(q);
        textToText += onText(q);
      }
      let imageToText = 0;
      let imageToImage = 0;
      for (let q = imageStart; q < imageEnd; q++) {
        imageToText += onText(q);
        imageToImage += onImage(q);
      }
      const at = l * heads + h;
      share.textToImage[at] = textToImage / text.length;
      share.imageToText[at] = imageToText / imageTokens;
      share.withinModality[at] = (textToText + imageToImage) / (text.length + imageTokens);
    }
  });
  return share;
}

/** The elementwise mean of the shares of several items (same layers and heads). */
export function meanShare(items: CrossModalShare[]): CrossModalShare {
  if (items.length === 0) throw new LensError('internal', 'meanShare: no items to average.');
  const { layers, heads } = items[0];
  const mean = (key: 'textToImage' | 'imageToText' | 'withinModality') => {
    const out = new Float64Array(layers * heads);
    items.forEach((item, i) => {
      if (item.layers !== layers || item.heads !== heads) throw new LensError('internal', `meanShare: item ${i} has ${item.layers}x${item.heads} layers x heads, item 0 ${layers}x${heads}.`);
      item[key].forEach((v, k) => (out[k] += v / items.length));
    });
    return Float32Array.from(out);
  };
  return { layers, heads, textToImage: mean('textToImage'), imageToText: mean('imageToText'), withinModality: mean('withinModality') };
}

/** (x - mean) / std over all values, with the population std; all 0 when the values are all equal. */
export function zScores(values: ArrayLike<number>): Float32Array {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  // Equal values can still give a std of rounding noise, which would blow up into z-scores of ±1.
  if (!(max > min)) return new Float32Array(n);
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  const std = Math.sqrt(squares / n);
  return Float32Array.from(values, (v) => (v - mean) / std);
}

/** Each of the three measures z-scored across all layers x heads, so unusual heads stand out. */
export function shareZScores(share: CrossModalShare): CrossModalShare {
  return { ...share, textToImage: zScores(share.textToImage), imageToText: zScores(share.imageToText), withinModality: zScores(share.withinModality) };
}
