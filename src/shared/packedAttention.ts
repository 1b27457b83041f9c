/**
 * Attention as a report page or a panel carries it: compact and binary instead of nested JSON numbers (a ViT-L/14
 * at 336 px has 24 x 16 x 577 x 577 of them, several GB as JSON text). Written by src/cli/packAttention.ts,
 * read lazily, one layer at a time, by webview/attentionRows.ts.
 *
 * Each kept row (one head's attention from one query over every key) is quantised to 8 bits in two segments, the
 * keys before the patch grid (CLS, text slots) and the patch keys, each over its own range: a head grid
 * thumbnail shows the patch keys on their own range, so the error is at most 1/510 of what it spans, while a
 * CLS key holding most of the mass would otherwise flatten the patches into a few levels.
 */

/** How much attention a report holds: none, each head's row of the first token only, or every query's row. */
export type ReportAttentionLevel = 'none' | 'thumbnails' | 'full';

/**
 * One tower's attention. `layerData[l]` is base64 of the zlib-compressed bytes of layer l: first the ranges, four
 * little-endian float32 per row (min and max of the keys before `patchStart`, then of the keys from it), then the
 * rows themselves, `tokens` bytes each (0 is the segment's min, 255 its max). Rows are ordered item, head, then
 * kept query (the order of `queries`).
 */
export interface PackedTowerAttention {
  layers: number;
  /** Items as in AnalysisResult.attention: images for the vision tower, image-text pairs for a joint graph. */
  items: number;
  heads: number;
  tokens: number;
  /** The first patch key; the keys before it (CLS, text) are quantised on their own range. */
  patchStart: number;
  /** The query tokens whose rows are kept, ascending. */
  queries: number[];
  layerData: string[];
}

/** The attention a page holds, with the level it was packed at. */
export interface PackedAttention {
  level: Exclude<ReportAttentionLevel, 'none'>;
  /** The tower the head grid draws: the vision tower of a two-tower model or a matcher's, else the joint graph. */
  tower: 'vision' | 'joint';
  attention: PackedTowerAttention;
  /**
   * The text tower of a model that has one (two towers, a matcher's text encoder): every query's row, cut to the
   * longest text's real tokens (the keys after them are padding), for the text attention head view.
   */
  text?: PackedTowerAttention;
  /**
   * A cross-attention matcher's cross-attention (BLIP): the text queries' rows over the image keys, every query cut
   * to the longest text's real tokens as `text` is, for the text head view's lines onto the image.
   */
  cross?: PackedTowerAttention;
}

/** Range values per row: min and max of the leading keys, then of the patch keys. */
export const RANGES_PER_ROW = 4;
