/**
 * Where the text and image tokens sit in the one joint sequence of a single-stream model. Model folders state
 * it (src/inference/model/tokenLayout.ts reads it); the analyses (cross-modal attention share) read it too.
 */

/** Positions in the joint sequence; `textEnd` is exclusive, image tokens run from `imageStart`. */
export interface TokenLayout {
  textStart: number;
  textEnd: number;
  imageStart: number;
  /** Image tokens, an image CLS token included. */
  imageTokens: number;
  /** Index of the pooled/classification token a head reads (`cls_index`; the ITM token of a matching model). */
  clsIndex?: number;
  /** Index of the image's own CLS token (`image_cls`); it is the first image token, and the patches follow it. */
  imageCls?: number;
  /** The image patch grid; rows x cols of the image tokens are patches. */
  rows: number;
  cols: number;
}

/** Index of the first patch token in the joint sequence: after the image CLS token, when there is one. */
export function firstPatchIndex(layout: TokenLayout): number {
  return layout.imageStart + (layout.imageCls !== undefined ? 1 : 0);
}

/** Length of the joint sequence the layout describes. */
export function jointLength(layout: TokenLayout): number {
  return Math.max(layout.textEnd, layout.imageStart + layout.imageTokens);
}
