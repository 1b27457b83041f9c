/**
 * A patch map laid over a square thumbnail, in plain typed arrays: the map is scaled to [0, 1] by its own
 * range, sampled bilinearly between cell centres (so patches blend as in the webview overlay), coloured with
 * viridis (perceptually uniform, readable with the common colour-vision deficiencies, dark = low) and mixed
 * into the image with a fixed opacity, its lower half fading in from transparent as the panels' overlays do.
 */
import { interpolateViridis, rgb } from 'd3';
import { resizeBilinear } from '../analysis/grid';
import { OVERLAY_FADE } from '../shared/overlayFade';

/** The map's share of each pixel. */
export const OVERLAY_OPACITY = 0.55;

const STEPS = 256;
let lut: Uint8Array | undefined;

/** Viridis as 256 RGB triples, dark to light. */
export function viridisLut(): Uint8Array {
  if (!lut) {
    lut = new Uint8Array(STEPS * 3);
    for (let i = 0; i < STEPS; i++) {
      const c = rgb(interpolateViridis(i / (STEPS - 1)));
      lut.set([c.r, c.g, c.b], i * 3);
    }
  }
  return lut;
}

/**
 * `grid` (rows x cols) sampled at `size` x `size` pixels and scaled to [0, 1] by its minimum and maximum (all
 * zeros for a constant map). Cell (r, c) is centred on pixel ((c + 0.5) size / cols, (r + 0.5) size / rows);
 * between centres values are interpolated bilinearly, beyond the outer centres they are held.
 */
export function sampleGrid(grid: number[][], size: number): Float32Array {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return new Float32Array(size * size);
  const values = grid.flat();
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  if (!(span > 0)) return new Float32Array(size * size);
  return Float32Array.from(resizeBilinear(values, rows, cols, size, size), (v) => (v - min) / span);
}

/**
 * `image` (size x size RGB) with `heat` (size x size, in [0, 1]) coloured by viridis and mixed in at `opacity`, times
 * heat / OVERLAY_FADE below OVERLAY_FADE (the image shows through where the map is low).
 */
export function blendHeatmap(image: Uint8Array, heat: Float32Array, opacity = OVERLAY_OPACITY): Uint8Array {
  const colours = viridisLut();
  const out = new Uint8Array(image.length);
  for (let p = 0; p < heat.length; p++) {
    const h = Math.min(1, Math.max(0, heat[p]));
    const step = Math.round(h * (STEPS - 1)) * 3;
    const share = opacity * Math.min(1, h / OVERLAY_FADE);
    for (let k = 0; k < 3; k++) out[p * 3 + k] = Math.round((1 - share) * image[p * 3 + k] + share * colours[step + k]);
  }
  return out;
}
