/**
 * Nested attention [layer][item][head][query][key], as fixtures write it, turned into the tapped layers the
 * product reads (each [items, heads, queries, keys] in one Float32Array).
 */
import type { LayerAttention } from '../../src/inference/runtime/tappedGraph';

/** The layers of `nested`, flattened row-major. */
export function layersOf(nested: number[][][][][]): LayerAttention[] {
  return nested.map((layer) => ({
    heads: layer[0].length,
    queries: layer[0][0].length,
    keys: layer[0][0][0].length,
    data: Float32Array.from(layer.flat(3)),
  }));
}
