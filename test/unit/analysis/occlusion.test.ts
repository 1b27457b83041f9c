import { test } from 'node:test';
import assert from 'node:assert/strict';
import { occlusionMap } from '../../../src/analysis/perturbation/occlusion';
import type { PatchedImage, ScoreBatch } from '../../../src/analysis/perturbation/perturbation';
import type { ProgressReport } from '../../../src/core/progress';
import { LensError } from '../../../src/core/errors';
import { assertClose, seededRandom } from './helpers';

// A 3 x 6 x 8 image on a 3 x 4 grid of 2 x 2 patches; the fake model scores the sum of patch (1, 2)'s pixels.
const [C, H, W] = [3, 6, 8];
const random = seededRandom(11);
const image: PatchedImage = { data: Float32Array.from({ length: C * H * W }, () => random() * 2 - 1), height: H, width: W, rows: 3, cols: 4 };
const gray = [0.1, -0.2, 0.3];

function regionSum(data: Float32Array, offset = 0): number {
  let sum = 0;
  for (let c = 0; c < C; c++) for (let y = 2; y < 4; y++) for (let x = 4; x < 6; x++) sum += data[offset + (c * H + y) * W + x];
  return sum;
}

const scoreRegion: ScoreBatch = async (batch, count) => Float32Array.from({ length: count }, (_, i) => regionSum(batch, i * C * H * W));

// Hiding the whole region with gray drops the score by Σ_c Σ_pixels (x - gray_c).
let drop = regionSum(image.data);
for (let c = 0; c < C; c++) drop -= 4 * gray[c];

test('occlusion with a 1-patch window lights up exactly the scored patch, by its known drop', async () => {
  const result = await occlusionMap(image, { kind: 'gray', value: gray }, scoreRegion);
  const expected = new Array(12).fill(0);
  expected[1 * 4 + 2] = drop;
  assertClose(result.map, expected, 1e-5);
  assert.ok(Math.abs(result.baseline - regionSum(image.data)) < 1e-5);
  assert.equal(result.forwardPasses, 13);
});

test('a 2-patch window averages the drops of every window covering a patch', async () => {
  // Row starts {0, 1} all cover row 1; column starts {0, 1, 2}: column 1 is covered by starts 0 (misses the
  // region) and 1 (hits it), columns 2 and 3 only by hitting windows, column 0 only by start 0.
  const result = await occlusionMap(image, { kind: 'gray', value: gray }, scoreRegion, { window: 2 });
  const row = [0, drop / 2, drop, drop];
  assertClose(result.map, [...row, ...row, ...row], 1e-5);
  assert.equal(result.forwardPasses, 1 + 2 * 3);
});

test('a stride that skips the far edge gets an extra window there', async () => {
  // Rows: starts 0 and, added for the edge, 1; columns: starts 0 and 2. Only column start 2 hits the region.
  const result = await occlusionMap(image, { kind: 'gray', value: gray }, scoreRegion, { window: 2, stride: 2 });
  assertClose(result.map, [0, 0, drop, drop, 0, 0, drop, drop, 0, 0, drop, drop], 1e-5);
  assert.equal(result.forwardPasses, 1 + 2 * 2);
});

test('blur occlusion drops the score by the region minus its blurred values', async () => {
  const radius = 1;
  let blurredRegion = 0;
  for (let c = 0; c < C; c++) {
    for (let y = 2; y < 4; y++) {
      for (let x = 4; x < 6; x++) {
        let sum = 0;
        let n = 0;
        for (let yy = Math.max(0, y - radius); yy <= Math.min(H - 1, y + radius); yy++) {
          for (let xx = Math.max(0, x - radius); xx <= Math.min(W - 1, x + radius); xx++, n++) sum += image.data[(c * H + yy) * W + xx];
        }
        blurredRegion += sum / n;
      }
    }
  }
  const result = await occlusionMap(image, { kind: 'blur', radius }, scoreRegion);
  assert.ok(Math.abs(result.map[6] - (regionSum(image.data) - blurredRegion)) < 1e-5);
  assert.equal(result.map.filter((v) => v !== 0).length, 1);
});

test('occlusion scores in batches, reports progress, and stops when cancelled', async () => {
  const counts: number[] = [];
  const reports: ProgressReport[] = [];
  await occlusionMap(image, { kind: 'gray', value: gray }, async (batch, count) => {
    counts.push(count);
    return scoreRegion(batch, count);
  }, { batchSize: 5, onProgress: (r) => reports.push(r) });
  assert.deepEqual(counts, [5, 5, 3]);
  assert.deepEqual(reports.map((r) => [r.done, r.total]), [[5, 13], [10, 13], [13, 13]]);

  const controller = new AbortController();
  let calls = 0;
  const cancelled = occlusionMap(image, { kind: 'gray', value: gray }, async (batch, count) => {
    calls++;
    controller.abort();
    return scoreRegion(batch, count);
  }, { batchSize: 5, signal: controller.signal });
  await assert.rejects(cancelled, (e) => e instanceof LensError && e.kind === 'cancelled');
  assert.equal(calls, 1);
});

test('occlusion refuses a window larger than the grid and a stride longer than the window', async () => {
  const isBadInput = (e: unknown) => e instanceof LensError && e.kind === 'badInput';
  await assert.rejects(occlusionMap(image, { kind: 'gray', value: gray }, scoreRegion, { window: 4 }), isBadInput);
  await assert.rejects(occlusionMap(image, { kind: 'gray', value: gray }, scoreRegion, { window: 1, stride: 2 }), isBadInput);
});
