/**
 * The hover preview of a generative model: its short description of the image (greedy, a few dozen tokens), and
 * the map of its most image-grounded word (the word whose attention, averaged over the decoder layers, goes most
 * to the image tokens) painted over the thumbnail where each image token's region lies.
 */
import type { GeneratedToken, GenerationResult, ImageTokens } from '../shared/generationResult';

/** What the hover asks a generative model. */
export const DESCRIBE_PROMPT = 'Describe the image.';
/** New tokens at most: a hover's description stays short. */
export const DESCRIBE_TOKENS = 24;

/** The description and its most image-grounded word. */
export interface HoverDescription {
  text: string;
  /** The most image-grounded word, its index in the answer and its mean image share; absent when attention is hidden. */
  word?: { text: string; index: number; imageShare: number };
}

/** The answer's text and its most image-grounded word: the highest mean image share among tokens with letters or digits. */
export function describeAnswer(result: GenerationResult): HoverDescription {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  let best: HoverDescription['word'];
  result.generated.forEach((token, index) => {
    if (token.imageShare.length === 0 || !/[\p{L}\p{N}]/u.test(token.text)) return;
    const imageShare = mean(token.imageShare);
    if (!best || imageShare > best.imageShare) best = { text: token.text.trim(), index, imageShare };
  });
  return { text: result.answer.trim(), ...(best ? { word: best } : {}) };
}

/**
 * `token`'s map on `image` at each pixel of a `size` x `size` thumbnail of the image's centre square, scaled to
 * [0, 1] by its range (pixels no image token covers are 0). A split image's whole-image tile is used when it has
 * one (it covers the thumbnail alone), else its tiles.
 */
export function tokenHeat(token: GeneratedToken, image: ImageTokens, imageIndex: number, size: number): Float32Array {
  const heat = new Float32Array(size * size);
  const values = token.map[imageIndex] ?? [];
  const global = image.tiles.find((tile) => tile.global);
  const [first, end] = global && image.tiles.length > 1 ? global.tokens : [0, image.regions.length];
  const side = Math.min(image.width, image.height);
  const [left, top] = [(image.width - side) / 2, (image.height - side) / 2];
  const scale = size / side;
  const covered = new Uint8Array(size * size);
  for (let t = first; t < end && t < values.length; t++) {
    const [x0, y0, x1, y1] = image.regions[t];
    // Thumbnail pixels whose centres lie in the region.
    const [px0, px1] = [Math.max(0, Math.ceil((x0 - left) * scale - 0.5)), Math.min(size, Math.ceil((x1 - left) * scale - 0.5))];
    const [py0, py1] = [Math.max(0, Math.ceil((y0 - top) * scale - 0.5)), Math.min(size, Math.ceil((y1 - top) * scale - 0.5))];
    for (let y = py0; y < py1; y++) {
      for (let x = px0; x < px1; x++) {
        heat[y * size + x] = values[t];
        covered[y * size + x] = 1;
      }
    }
  }
  let [min, max] = [Infinity, -Infinity];
  heat.forEach((v, i) => {
    if (covered[i]) [min, max] = [Math.min(min, v), Math.max(max, v)];
  });
  const span = max - min;
  heat.forEach((v, i) => (heat[i] = covered[i] && span > 0 ? (v - min) / span : 0));
  return heat;
}
