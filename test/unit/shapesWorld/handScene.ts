/**
 * Hand-built scenes for the shapes-world tests, and the contract's tables written out again here, so that
 * tests compare the generator against the contract rather than against the generator's own constants.
 */
import type { SceneObject } from '../../../src/shapesWorld/types';
import type { Colour, Rgb, Shape } from '../../../src/shapesWorld/vocab';

/** Nominal RGB per colour word, copied from docs/shapes-world.md. */
export const CONTRACT_COLOURS: Record<string, Rgb> = {
  red: [220, 40, 40],
  green: [40, 170, 70],
  blue: [50, 90, 230],
  yellow: [235, 200, 40],
  purple: [150, 70, 190],
  orange: [245, 140, 30],
};

/** Shape words, copied from docs/shapes-world.md. */
export const CONTRACT_SHAPES = ['circle', 'square', 'triangle', 'cross'];

/** An object centred at (cx, cy) with box side s, drawn in its nominal colour unless `rgb` is given. */
export function obj(colour: Colour, shape: Shape, cx: number, cy: number, s: number, rgb?: Rgb): SceneObject {
  return {
    colour,
    shape,
    rgb: rgb ?? CONTRACT_COLOURS[colour],
    box: { x: cx - s / 2, y: cy - s / 2, size: s },
    centre: { x: cx, y: cy },
  };
}

/** A random stream that always draws the middle value, so the renderer's noise is exactly zero. */
export const noNoise = () => 0.5;

/** The RGB of pixel (x, y) in a row-major RGB buffer of side n. */
export function pixelAt(pixels: Uint8Array, n: number, x: number, y: number): number[] {
  const at = (y * n + x) * 3;
  return [pixels[at], pixels[at + 1], pixels[at + 2]];
}
