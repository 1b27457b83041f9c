/**
 * The parts of an analysis result that do not depend on the architecture: the request the adapters take, the
 * image and text entries, slicing and nesting the attention tensors for the JSON (and packing them for a page), an image encoder's rollout
 * over its patches, and which of a text's tokens its per-text maps read.
 */
import { attentionRolloutRow, type RolloutOptions } from '../../analysis/attention/rollout';
import { toNested } from '../../analysis/grid';
import type { AlignmentMethod, ImageInfo, Matrix, TextInfo, Tower } from '../../shared/analysisResult';
import type { DetailedAnalysisResult } from '../../shared/attentionDetails';
import type { PatchGrid } from '../images/patchGrid';
import type { AttentionDetailOptions } from './attentionDetails';
import { badInput } from '../../core/errors';
import type { PreprocessedImage } from '../images/preprocess';
import type { LayerAttention } from '../runtime/tappedGraph';
import type { EncodedText } from '../model/tokenize';
import { packAttention, packCrossAttention, packTextTower, type PageAttentionRequest } from './packAttention';

/** What to analyse; images are already preprocessed (their paths and sizes are reported). */
export interface PreparedRequest extends AttentionDetailOptions {
  images: { path: string; image: PreprocessedImage }[];
  texts: string[];
  /** Include the raw attention tensors in the result. */
  includeAttention: boolean;
  /** For a page: the head grid's attention packed into `pageAttention`, at the level asked (by size when absent). */
  pageAttention?: PageAttentionRequest;
  /** Two-tower models: the patch embeddings of the alignment maps (default: DEFAULT_ALIGNMENT). */
  alignment?: AlignmentMethod;
  /** Two-tower models: every vision layer's lens (`lens` of the result). */
  lens?: boolean;
}

/** Throws unless every image was preprocessed to the same size, which one batch needs. */
export function requireSameSize(images: PreparedRequest['images']): void {
  const size = images[0].image.outputSize;
  const odd = images.find((i) => i.image.outputSize.height !== size.height || i.image.outputSize.width !== size.width);
  if (odd) {
    const [a, b] = [images[0].image.outputSize, odd.image.outputSize];
    throw badInput(
      `${odd.path} was preprocessed to ${b.width}x${b.height} and ${images[0].path} to ${a.width}x${a.height}: this model keeps each image's aspect ratio, and one analysis runs its images as one batch of one size.`,
      'Analyse images of different shapes one at a time.',
    );
  }
}

/** The result's image entries: paths, sizes before preprocessing, and the region the model's input covers. */
export function imageInfos(images: PreparedRequest['images']): ImageInfo[] {
  return images.map(({ path, image }) => ({ path, width: image.width, height: image.height, ...(image.region && { region: image.region }) }));
}

/** The result's text entries. */
export function textInfos(items: EncodedText[]): TextInfo[] {
  return items.map((item) => ({ text: item.text, tokens: item.tokens, truncated: item.truncated }));
}

/** One item's slice of a layer's [items, heads, q, k] attention. */
export function itemAttention(layer: LayerAttention, item: number): Float32Array {
  const size = layer.heads * layer.queries * layer.keys;
  return layer.data.subarray(item * size, (item + 1) * size);
}

/** Every layer as nested [item][head][query][key] arrays, for `attention` in the JSON. */
export function nestAttention(layers: LayerAttention[], items: number): number[][][][][] {
  return layers.map((l) => toNested(l.data, [items, l.heads, l.queries, l.keys], 'attention'));
}

/** One tower's tapped layers, each [items, heads, queries, keys]. */
export interface TowerLayers {
  layers: LayerAttention[];
  items: number;
  /** A text tower: each item's real tokens (the slots after them are padding), so a page's copy leaves the padding out. */
  lengths?: number[];
}

/**
 * The attention parts of a result as `request` asks for them: every tower nested (`attention`, --attention) and
 * the head grid's tower packed for a page (`pageAttention`: the vision tower, else the joint graph; a text tower
 * given its `lengths` beside it, for the text head view). The patch
 * keys are the last rows x cols of `grid`.
 */
export function attentionParts(request: PreparedRequest, towers: Partial<Record<Tower, TowerLayers>>, grid: { rows: number; cols: number }): Pick<DetailedAnalysisResult, 'attention' | 'pageAttention'> {
  const parts: Pick<DetailedAnalysisResult, 'attention' | 'pageAttention'> = {};
  if (request.includeAttention) {
    parts.attention = Object.fromEntries(Object.entries(towers).map(([tower, { layers, items }]) => [tower, nestAttention(layers, items)]));
  }
  const [name, drawn] = towers.vision ? (['vision', towers.vision] as const) : (['joint', towers.joint] as const);
  if (request.pageAttention && drawn && drawn.layers.length > 0) {
    const packed = packAttention(name, drawn.layers, drawn.items, Math.max(0, drawn.layers[0].keys - grid.rows * grid.cols), request.pageAttention);
    const { text, cross } = towers;
    const longest = Math.max(0, ...(text?.lengths ?? []));
    const textPacked = packed && text?.lengths ? packTextTower(text.layers, text.items, longest) : undefined;
    const crossPacked = textPacked && cross ? packCrossAttention(cross.layers, cross.items, longest, grid.rows * grid.cols) : undefined;
    if (packed) parts.pageAttention = { ...packed, ...(textPacked && { text: textPacked }), ...(crossPacked && { cross: crossPacked }) };
    if (packed?.level === 'thumbnails') request.pageAttention.keep?.(drawn.layers, drawn.items);
  }
  return parts;
}

/**
 * Attention rollout of an image encoder's `attention` for `item`, over the patches of `grid`: from the CLS token,
 * or without one the mean of every token's rollout row (where the whole image looks).
 */
export function rolloutPatchGrid(attention: LayerAttention[], item: number, grid: PatchGrid, options: RolloutOptions): Matrix {
  const layers = attention.map((layer) => itemAttention(layer, item));
  const { heads, queries: tokens } = attention[0];
  const row = grid.clsIndex !== undefined ? attentionRolloutRow(layers, heads, tokens, grid.clsIndex, options) : meanRolloutRow(layers, heads, tokens, options);
  return toNested(row.subarray(grid.firstPatch, grid.firstPatch + grid.rows * grid.cols), [grid.rows, grid.cols], 'rollout');
}

function meanRolloutRow(layers: Float32Array[], heads: number, tokens: number, options: RolloutOptions): Float32Array {
  const mean = new Float32Array(tokens);
  for (let q = 0; q < tokens; q++) attentionRolloutRow(layers, heads, tokens, q, options).forEach((v, k) => (mean[k] += v / tokens));
  return mean;
}

/** A text's own token positions, for its maps: padding left out, the start/end tokens too unless nothing else is left. */
export function textBodyTokens(item: EncodedText, specialIds: ReadonlySet<number>): number[] {
  const all = item.ids.map((_, c) => c);
  const body = all.filter((c) => !specialIds.has(item.ids[c]));
  return body.length > 0 ? body : all;
}
