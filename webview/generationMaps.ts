/**
 * What a generated token's map is on the page: its values from the attention or the perturbation map, painted over
 * the image tokens' regions of the tiles chosen, and what the values measure. The report's token view and its
 * "compare two words" view both draw from here, so both show the same numbers the same way.
 */
import type { GeneratedToken, GenerationResult, ImageTokens } from '../src/shared/generationResult';
import type { Region } from './draw/regionOverlay';

/** Which map of a token: its attention on the image tokens, or its occlusion / RISE map. */
export type MapSource = 'attention' | 'perturbation';
/** Which image tokens of a split image: the tiles' own, or the whole image resized to one tile. */
export type TileSet = 'tiles' | 'global';

/** The map choices the page's controls make. */
export interface MapChoice {
  source: MapSource;
  image: number;
  tiles: TileSet;
}

/** The values of `token`'s map on image `image` from `source`, or undefined when it has none. */
export function mapOf(token: GeneratedToken, source: MapSource, image: number): number[] | undefined {
  const map = source === 'attention' ? token.map[image] : token.perturbationMap?.[image];
  return map && map.length > 0 ? map : undefined;
}

/** The regions of `values` (one per image token) on the image's tiles of `set`: the split image's own, or its whole-image tile. */
export function regionsOf(image: ImageTokens, values: number[], set: TileSet): Region[] {
  const tiles = image.tiles.filter((t) => t.global === (set === 'global') || image.tiles.length === 1);
  return tiles.flatMap((tile) => values.slice(tile.tokens[0], tile.tokens[1]).map((value, i) => ({ box: image.regions[tile.tokens[0] + i], value })));
}

/** The regions `token` paints under `choice`, empty when it has no such map. */
export function tokenRegions(result: GenerationResult, token: GeneratedToken, choice: MapChoice): Region[] {
  const values = mapOf(token, choice.source, choice.image);
  return values ? regionsOf(result.images[choice.image], values, choice.tiles) : [];
}

/** What the values of `source`'s maps measure, for legends. */
export function mapMeasure(result: GenerationResult, source: MapSource): string {
  if (source === 'attention') return 'attention on the image tokens';
  return result.perturbation?.score === 'logprobDrop' ? 'drop in log-probability when the patch is hidden' : 'RISE saliency (probability-weighted masks)';
}
