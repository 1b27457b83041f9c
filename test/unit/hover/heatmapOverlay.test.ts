// The overlay arithmetic against hand formulas: bilinear sampling between cell centres of a grid whose values
// are linear in (row, col) (where bilinear interpolation is exact), min-max scaling, and the viridis blend
// at its two ends (#440154 and #fde725, matplotlib's viridis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blendHeatmap, sampleGrid, viridisLut } from '../../../src/hover/heatmapOverlay';

test('a 2 x 2 grid at 4 x 4 pixels: cell centres at pixels 0.5 and 2.5 of each axis, held beyond them', () => {
  const heat = sampleGrid([[10, 11], [12, 13]], 4);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      // Grid coordinate of a pixel centre: (p + 0.5) * 2 / 4 - 0.5; value 10 + 2r + c; scaled by (v - 10) / 3.
      const r = clamp((y + 0.5) / 2 - 0.5);
      const c = clamp((x + 0.5) / 2 - 0.5);
      assert.ok(Math.abs(heat[y * 4 + x] - (2 * r + c) / 3) < 1e-6, `pixel ${x},${y}: ${heat[y * 4 + x]}`);
    }
  }
});

test('a constant or empty map gives zeros; a 3 x 3 map keeps its peak at the centre pixel', () => {
  assert.deepEqual([...sampleGrid([[5, 5], [5, 5]], 3)], new Array(9).fill(0));
  assert.deepEqual([...sampleGrid([], 2)], [0, 0, 0, 0]);
  const heat = sampleGrid([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 9);
  assert.equal(heat[4 * 9 + 4], 1);
  assert.equal(heat[0], 0);
  assert.equal(Math.max(...heat), 1);
});

test('blend: at the top 45% image, 55% viridis colour; at the minimum the image alone; halfway up the fade half of 55%', () => {
  const lut = viridisLut();
  assert.deepEqual([...lut.subarray(0, 3)], [0x44, 0x01, 0x54]);
  assert.deepEqual([...lut.subarray(255 * 3)], [0xfd, 0xe7, 0x25]);
  const image = new Uint8Array([100, 100, 100, 100, 100, 100, 100, 100, 100]);
  const out = blendHeatmap(image, new Float32Array([0, 0.25, 1]));
  // 0.25 is half of the faded lower half: 0.275 of viridis step round(0.25 * 255) = 64, (59, 82, 139).
  const quarter = [...lut.subarray(64 * 3, 64 * 3 + 3)].map((c) => Math.round(0.725 * 100 + 0.275 * c));
  // 0.45 * 100 + 0.55 * (253, 231, 37) at the top.
  assert.deepEqual([...out], [100, 100, 100, ...quarter, 184, 172, 65]);
});
