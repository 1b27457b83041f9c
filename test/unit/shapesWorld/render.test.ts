// Rasterisation against pixels worked out by hand from the contract's geometry, with the noise switched off
// where exact values are expected. Pixel (i, j) is sampled at (i + 0.5, j + 0.5) without anti-aliasing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { renderScene } from '../../../src/shapesWorld/render';
import { generateScene } from '../../../src/shapesWorld/scene';
import { mulberry32 } from '../../../src/shapesWorld/prng';
import { noNoise, obj, pixelAt } from './handScene';

const BG: [number, number, number] = [220, 220, 220];
const RGB: [number, number, number] = [0, 100, 200];

function draw(object: ReturnType<typeof obj>, antialias = false) {
  return renderScene({ size: 80, background: BG, objects: [object] }, noNoise, antialias);
}

function assertPixels(pixels: Buffer, inside: [number, number][], outside: [number, number][]) {
  for (const [x, y] of inside) assert.deepEqual(pixelAt(pixels, 80, x, y), RGB, `(${x}, ${y}) should be inside`);
  for (const [x, y] of outside) assert.deepEqual(pixelAt(pixels, 80, x, y), BG, `(${x}, ${y}) should be outside`);
}

test('circle: disc of diameter s, boundary pixels decided by distance from the centre', () => {
  // Centre (20, 20), radius 10. (29, 20): 9.5² + 0.5² = 90.5 <= 100; (13, 27): 6.5² + 7.5² = 98.5;
  // (12, 27): 7.5² + 7.5² = 112.5 > 100; (29, 27): 9.5² + 7.5² = 146.5; (10, 10) is the box corner.
  const pixels = draw(obj('blue', 'circle', 20, 20, 20, RGB));
  assertPixels(pixels, [[20, 20], [29, 20], [13, 27], [16, 28]], [[12, 27], [29, 27], [10, 10], [30, 20]]);
});

test('square: side 0.85 s centred in the box', () => {
  // Centre (52, 22), s = 24, half side 10.2: columns and rows 41.8..62.2 and 11.8..32.2 are covered.
  const pixels = draw(obj('blue', 'square', 52, 22, 24, RGB));
  assertPixels(pixels, [[42, 22], [61, 22], [52, 12], [52, 31], [42, 12]], [[41, 22], [62, 22], [52, 11], [52, 32]]);
});

test('triangle: apex at the top middle, base s along the bottom of the box', () => {
  // Box x 10..30, y 40..60, apex (20, 40). Half-width at depth d below the apex is d / 2.
  // (20, 40): d = 0.5, |dx| = 0.5 > 0.25; (20, 41): d = 1.5, 0.5 <= 0.75; (10, 59): d = 19.5, 9.5 <= 9.75;
  // (10, 57): d = 17.5, 9.5 > 8.75; (20, 60) lies below the base.
  const pixels = draw(obj('blue', 'triangle', 20, 50, 20, RGB));
  assertPixels(pixels, [[20, 41], [10, 59], [29, 59], [20, 50]], [[20, 40], [10, 57], [20, 60], [12, 45]]);
});

test('cross: two bars of length s and thickness 0.3 s through the centre', () => {
  // Centre (50, 50), s = 40: bars |dx| <= 6 with |dy| <= 20, and |dy| <= 6 with |dx| <= 20.
  const pixels = draw(obj('blue', 'cross', 50, 50, 40, RGB));
  assertPixels(
    pixels,
    [[50, 50], [69, 50], [30, 50], [50, 30], [55, 40], [44, 69], [40, 55]],
    [[56, 40], [43, 43], [70, 50], [60, 60], [40, 56], [50, 70]],
  );
});

test('anti-aliasing blends an edge pixel by the share of its 4x4 samples inside the shape', () => {
  // Square edge at x = 41.8: in pixel 41 only the sample at 41.875 of each row is inside (4/16); the top-left
  // corner pixel (41, 11) has one sample of 16 inside. Expected: background and colour mixed in that ratio.
  const pixels = draw(obj('blue', 'square', 52, 22, 24, RGB), true);
  const mix = (t: number) => BG.map((b, c) => Math.round(b * (1 - t) + RGB[c] * t));
  assert.deepEqual(pixelAt(pixels, 80, 41, 22), mix(4 / 16));
  assert.deepEqual(pixelAt(pixels, 80, 41, 11), mix(1 / 16));
  assert.deepEqual(pixelAt(pixels, 80, 42, 22), RGB);
  assert.deepEqual(pixelAt(pixels, 80, 40, 22), BG);
});

test('background noise stays within ±12 of the grey and really varies', () => {
  const pixels = renderScene({ size: 64, background: [245, 200, 230], objects: [] }, mulberry32(3), false);
  const seen = new Set<number>();
  pixels.forEach((v, i) => {
    const base = [245, 200, 230][i % 3];
    assert.ok(v >= base - 12 && v <= Math.min(255, base + 12), `channel value ${v} vs grey ${base}`);
    if (i % 3 === 1) seen.add(v - base);
  });
  assert.equal(seen.size, 25, 'every noise value from -12 to 12 should occur in 4096 pixels');
});

test('the PNG decodes with sharp to exactly the raw pixels', async () => {
  const { png, pixels, truth } = await generateScene({ seed: 11, index: 4, size: 97, objects: 3 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [97, 97, 3]);
  assert.equal(truth.size, 97);
  assert.ok(data.equals(pixels));
});
