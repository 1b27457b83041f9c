/**
 * The parts of an analysis result that do not depend on the architecture: the request both adapters take,
 * the image and text entries, and slicing and nesting the attention tensors for the JSON.
 */
import { toNested } from '../../analysis/grid';
import type { AlignmentMethod, ImageInfo, TextInfo } from '../../shared/analysisResult';
import type { AttentionDetailOptions } from './attentionDetails';
import { badInput } from '../../core/errors';
import type { PreprocessedImage } from '../images/preprocess';
import type { LayerAttention } from '../runtime/tappedGraph';
import type { EncodedText } from '../model/tokenize';

/** What to analyse; images are already preprocessed (their paths and sizes are reported). */
export interface PreparedRequest extends AttentionDetailOptions {
  images: { path: string; image: PreprocessedImage }[];
  texts: string[];
  /** Include the raw attention tensors in the result. */
  includeAttention: boolean;
  /** Two-tower models: the patch embeddings of the alignment maps (default: DEFAULT_ALIGNMENT). */
  alignment?: AlignmentMethod;
}

/** Throws unless every image was preprocessed to the same size, which one batch needs. */
export function requireSameSize(images: PreparedRequest['images']): void {
  const size = images[0].image.outputSize;
  const odd = images.find((i) => i.image.outputSize.height !== size.height || i.image.outputSize.width !== size.width);
  if (odd) throw badInput(`${odd.path} was preprocessed to a different size than ${images[0].path}.`, 'Use a preprocessor_config.json with a crop size, as CLIP has.');
}

/** The result's image entries: paths and sizes before preprocessing. */
export function imageInfos(images: PreparedRequest['images']): ImageInfo[] {
  return images.map(({ path, image }) => ({ path, width: image.width, height: image.height }));
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
