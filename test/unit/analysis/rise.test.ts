import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { riseMap, riseMask } from '../../../src/analysis/perturbation/rise';
import type { PatchedImage, ScoreBatch } from '../../../src/analysis/perturbation/perturbation';
import { LensError } from '../../../src/core/errors';
import { assertClose } from './helpers';

test('a 2x2 grid upsampled to 3x3 and cropped to 2x2, worked by hand', () => {
  // Cell size 1, stretched to 3 pixels: pixel Y samples grid row (Y + 0.5)·2/3 - 0.5 = -1/6 → 0, 1/2, 7/6 → 1.
  const grid = [1, 0, 0, 0];
  assertClose(riseMask(grid, 2, 2, 2, 0, 0), [1, 0.5, 0.5, 0.25]);
  assertClose(riseMask(grid, 2, 2, 2, 1, 1), [0.25, 0, 0, 0]);
  assertClose(riseMask(grid, 2, 2, 2, 0, 1), [0.5, 0, 0.25, 0]);
});

test('a 2x2 grid on a 4x4 image: cell size 2, each side samples rows 0, 0, 1/3, 2/3', () => {
  // Pixel Y samples (Y + 0.5)·2/6 - 0.5 = -1/3 → 0, 0, 1/3, 2/3, so the weight of grid row 0 is 1, 1, 2/3, 1/3.
  const weight = [1, 1, 2 / 3, 1 / 3];
  assertClose(riseMask([1, 0, 0, 0], 2, 4, 4, 0, 0), weight.flatMap((wy) => weight.map((wx) => wy * wx)));
});

test('reflected edges mirror the grid about its edge cells\' centres: the 2x2 case by hand', () => {
  // Pixel 0 samples -1/6, mirrored to 1/6: grid row 0 weighs 5/6; pixel 1 samples 1/2 either way.
  const weight = [5 / 6, 1 / 2];
  assertClose(riseMask([1, 0, 0, 0], 2, 2, 2, 0, 0, 'reflect'), weight.flatMap((wy) => weight.map((wx) => wy * wx)));
});

test("reflected masks equal the authors' (skimage's resize, mode='reflect', cropped at the shift)", () => {
  // tools/fixtures/riseMasks.py: eclique/RISE's generate_masks on fixed grids and shifts.
  const { cases } = JSON.parse(readFileSync('test/fixtures/rise-masks/reference.json', 'utf8')) as {
    cases: { cells: number; height: number; width: number; shiftY: number; shiftX: number; grid: number[]; mask: number[] }[];
  };
  assert.equal(cases.length, 5);
  let clampedDiffer = 0;
  for (const c of cases) {
    assertClose(riseMask(c.grid, c.cells, c.height, c.width, c.shiftY, c.shiftX, 'reflect'), c.mask, 1e-6);
    if (riseMask(c.grid, c.cells, c.height, c.width, c.shiftY, c.shiftX).some((v, k) => Math.abs(v - c.mask[k]) > 1e-3)) clampedDiffer++;
  }
  // The product's clamped edges are not the authors' (where the crop shows the grid's edge cells' outer halves).
  assert.ok(clampedDiffer >= 3, `${clampedDiffer} of 5 differ`);
});

// 12 x 12 pixels in a 3 x 3 grid of 4 x 4 patches, 3 channels.
const [C, H, W] = [3, 12, 12];
const patchMean = (mask: ArrayLike<number>, r: number, c: number) => {
  let sum = 0;
  for (let y = 4 * r; y < 4 * r + 4; y++) for (let x = 4 * c; x < 4 * c + 4; x++) sum += mask[y * W + x];
  return sum / 16;
};

test('the map is Σ score_i · mask_i / (N·p) averaged per patch, with masked image = image·mask + fill·(1 - mask)', async () => {
  // Image 3 and fill -1 everywhere: a masked pixel is -1 + 4·mask, so each mask can be read back exactly.
  const image: PatchedImage = { data: new Float32Array(C * H * W).fill(3), height: H, width: W, rows: 3, cols: 3 };
  const seen: { mask: Float32Array; score: number }[] = [];
  const score: ScoreBatch = async (batch, count) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const planes = [0, 1, 2].map((c) => batch.subarray((i * C + c) * H * W, (i * C + c + 1) * H * W).map((v) => (v + 1) / 4));
      assertClose(planes[1], planes[0], 1e-6);
      assertClose(planes[2], planes[0], 1e-6);
      out[i] = 1 + 2 * planes[0][5 * W + 7];
      seen.push({ mask: planes[0], score: out[i] });
    }
    return out;
  };
  const [N, p] = [40, 0.4];
  const result = await riseMap(image, { kind: 'gray', value: [-1, -1, -1] }, score, { masks: N, cells: 4, probability: p, seed: 5, batchSize: 16 });
  assert.equal(result.forwardPasses, N);
  assert.equal(seen.length, N);
  const expected = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => seen.reduce((sum, { mask, score }) => sum + score * patchMean(mask, r, c), 0) / (N * p)));
  assertClose(result.map, expected, 1e-5);
  // The masks are smooth (some values strictly between 0 and 1) and differ from each other.
  assert.ok(seen.some(({ mask }) => mask.some((v) => v > 0.01 && v < 0.99)));
  assert.notDeepEqual(Array.from(seen[0].mask), Array.from(seen[1].mask));
});

test('with a score that is the mean of one patch, the saliency peaks at that patch', async () => {
  const image: PatchedImage = { data: new Float32Array(C * H * W).fill(1), height: H, width: W, rows: 3, cols: 3 };
  const score: ScoreBatch = async (batch, count) => Float32Array.from({ length: count }, (_, i) => patchMean(batch.subarray(i * C * H * W), 2, 1));
  const { map } = await riseMap(image, { kind: 'gray', value: [0, 0, 0] }, score, { masks: 300, cells: 3, seed: 1, batchSize: 50 });
  const peak = map.indexOf(Math.max(...map));
  assert.equal(peak, 2 * 3 + 1);
});

test('with every cell kept the map is the constant score; the same seed repeats the map, another changes it', async () => {
  const image: PatchedImage = { data: new Float32Array(C * H * W).fill(2), height: H, width: W, rows: 3, cols: 3 };
  const constant: ScoreBatch = async (_, count) => new Float32Array(count).fill(0.7);
  assertClose((await riseMap(image, { kind: 'blur' }, constant, { masks: 10, probability: 1 })).map, new Array(9).fill(0.7), 1e-6);
  const firstPixel: ScoreBatch = async (batch, count) => Float32Array.from({ length: count }, (_, i) => batch[i * C * H * W]);
  const run = (seed: number) => riseMap(image, { kind: 'gray', value: [0, 0, 0] }, firstPixel, { masks: 20, seed });
  assert.deepEqual(Array.from((await run(3)).map), Array.from((await run(3)).map));
  assert.notDeepEqual(Array.from((await run(3)).map), Array.from((await run(4)).map));
});

test('RISE refuses a keep probability outside (0, 1] and a mask count that is not a positive integer', async () => {
  const image: PatchedImage = { data: new Float32Array(C * H * W), height: H, width: W, rows: 3, cols: 3 };
  const score: ScoreBatch = async (_, count) => new Float32Array(count);
  const isBadInput = (e: unknown) => e instanceof LensError && e.kind === 'badInput';
  await assert.rejects(riseMap(image, { kind: 'blur' }, score, { probability: 0 }), isBadInput);
  await assert.rejects(riseMap(image, { kind: 'blur' }, score, { masks: 2.5 }), isBadInput);
  await assert.rejects(riseMap(image, { kind: 'blur' }, score, { cells: 0 }), isBadInput);
});
