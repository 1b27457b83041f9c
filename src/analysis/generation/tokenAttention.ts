/**
 * What one generated token's attention says, from the decoder's attention rows of the pass that produced it:
 * `rows[layer]` is heads x keys row-major, the last query position's attention over every key of that pass.
 * Its share of attention on the image tokens, the prompt's text and the text generated before it, per layer
 * (LVLM-Interpret's per-layer image relevance is the first), and its map over the image tokens with the heads
 * fused by mean or max and a range of layers averaged.
 */
import { LensError } from '../../core/errors';

/** One pass's attention rows of the last query: per layer, heads x keys row-major. */
export interface AttentionRows {
  heads: number;
  keys: number;
  rows: Float32Array[];
}

/** Positions in the sequence: each image's tokens, in feature order, and where the prompt ends (generated text after). */
export interface SequenceParts {
  images: number[][];
  promptLength: number;
}

/** Per layer, the head-mean attention mass on image tokens, the prompt's other tokens and the generated tokens. */
export function attentionShares(attention: AttentionRows, parts: SequenceParts): { image: number[]; prompt: number[]; generated: number[] } {
  const { heads, keys } = attention;
  checkParts(parts, keys);
  const isImage = new Uint8Array(keys);
  for (const places of parts.images) for (const place of places) isImage[place] = 1;
  const out = { image: [] as number[], prompt: [] as number[], generated: [] as number[] };
  for (const row of attention.rows) {
    if (row.length !== heads * keys) throw new LensError('internal', `attentionShares: a layer has ${row.length} values, expected ${heads} x ${keys}.`);
    let [image, prompt, generated] = [0, 0, 0];
    for (let h = 0; h < heads; h++) {
      for (let k = 0; k < keys; k++) {
        const v = row[h * keys + k];
        if (isImage[k]) image += v;
        else if (k < parts.promptLength) prompt += v;
        else generated += v;
      }
    }
    out.image.push(image / heads);
    out.prompt.push(prompt / heads);
    out.generated.push(generated / heads);
  }
  return out;
}

/** How to fuse heads and layers into one map. */
export interface MapFusion {
  heads: 'mean' | 'max';
  /** [first, last] layer, inclusive. */
  layers: [number, number];
}

/** The token's attention on each image's tokens: heads fused, the layers of `fusion.layers` averaged. */
export function imageTokenMaps(attention: AttentionRows, parts: SequenceParts, fusion: MapFusion): Float32Array[] {
  const { heads, keys } = attention;
  checkParts(parts, keys);
  const [first, last] = fusion.layers;
  if (!(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && first <= last && last < attention.rows.length)) {
    throw new LensError('badInput', `Layers ${first}-${last} are not a range of the decoder's ${attention.rows.length} layers.`, `Give a range within 0-${attention.rows.length - 1}.`);
  }
  return parts.images.map((places) => {
    const map = new Float32Array(places.length);
    for (let layer = first; layer <= last; layer++) {
      const row = attention.rows[layer];
      places.forEach((k, t) => {
        let fused = fusion.heads === 'max' ? -Infinity : 0;
        for (let h = 0; h < heads; h++) {
          const v = row[h * keys + k];
          fused = fusion.heads === 'max' ? Math.max(fused, v) : fused + v / heads;
        }
        map[t] += fused / (last - first + 1);
      });
    }
    return map;
  });
}

function checkParts(parts: SequenceParts, keys: number): void {
  for (const places of parts.images) {
    const outside = places.find((place) => !(Number.isInteger(place) && place >= 0 && place < keys));
    if (outside !== undefined) throw new LensError('internal', `Image token position ${outside} does not fit in ${keys} keys.`);
  }
}
