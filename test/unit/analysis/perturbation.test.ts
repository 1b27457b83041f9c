import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxBlur } from '../../../src/analysis/perturbation/boxBlur';
import { hiddenImage, patchSpan, scoreInBatches } from '../../../src/analysis/perturbation/perturbation';
import { LensError } from '../../../src/core/errors';
import { assertClose, seededRandom } from './helpers';

test('box blur of one line worked by hand: the window is cut at the border, not zero-padded', () => {
  // radius 1 over [0, 3, 6, 9]: (0+3)/2, (0+3+6)/3, (3+6+9)/3, (6+9)/2
  assertClose(boxBlur(new Float32Array([0, 3, 6, 9]), 1, 1, 4, 1), [1.5, 3, 6, 7.5]);
  assertClose(boxBlur(new Float32Array([0, 3, 6, 9]), 1, 4, 1, 1), [1.5, 3, 6, 7.5]);
});

test('box blur of a random image matches a direct average over the square inside the image', () => {
  const random = seededRandom(3);
  const [channels, height, width, radius] = [2, 5, 7, 2];
  const image = Float32Array.from({ length: channels * height * width }, () => random());
  const expected: number[] = [];
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let n = 0;
        for (let yy = y - radius; yy <= y + radius; yy++) {
          for (let xx = x - radius; xx <= x + radius; xx++) {
            if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
            sum += image[(c * height + yy) * width + xx];
            n++;
          }
        }
        expected.push(sum / n);
      }
    }
  }
  assertClose(boxBlur(image, channels, height, width, radius), expected, 1e-6);
  assertClose(boxBlur(image, channels, height, width, 0), image);
});

test('patch spans tile the side even when the grid does not divide it', () => {
  assert.deepEqual([0, 1, 2].map((i) => patchSpan(i, 3, 6)), [[0, 2], [2, 4], [4, 6]]);
  assert.deepEqual([0, 1, 2].map((i) => patchSpan(i, 3, 7)), [[0, 2], [2, 4], [4, 7]]);
});

test('the gray hidden image holds one value per channel, and a wrong count of values is refused', () => {
  const image = { data: new Float32Array(2 * 2 * 3), height: 2, width: 3, rows: 1, cols: 1 };
  assert.deepEqual(Array.from(hiddenImage(image, { kind: 'gray', value: [0.5, -1] })), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -1, -1, -1, -1, -1, -1]);
  assert.throws(() => hiddenImage(image, { kind: 'gray', value: [0.5, 0.5, 0.5] }), LensError);
  assert.throws(() => hiddenImage({ ...image, rows: 3 }, { kind: 'gray', value: [0, 0] }), LensError);
});

test('scoreInBatches splits the work, keeps the order, and rejects a callback that miscounts', async () => {
  const counts: number[] = [];
  const scores = await scoreInBatches(7, 2, (i, target) => target.fill(i), async (batch, count) => {
    counts.push(count);
    assert.equal(batch.length, count * 2);
    return Float32Array.from({ length: count }, (_, k) => batch[2 * k] * 10);
  }, { batchSize: 3 }, 'test');
  assert.deepEqual(counts, [3, 3, 1]);
  assert.deepEqual(Array.from(scores), [0, 10, 20, 30, 40, 50, 60]);
  const kind = (e: unknown) => (e instanceof LensError ? e.kind : 'other');
  await assert.rejects(scoreInBatches(2, 1, () => {}, async () => new Float32Array(1), {}, 'test'), (e) => kind(e) === 'internal');
  await assert.rejects(scoreInBatches(1, 1, () => {}, async () => new Float32Array([NaN]), {}, 'test'), (e) => kind(e) === 'internal');
  await assert.rejects(scoreInBatches(1, 1, () => {}, async () => new Float32Array(1), { batchSize: 0 }, 'test'), (e) => kind(e) === 'badInput');
});
