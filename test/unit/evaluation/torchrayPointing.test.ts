// TorchRay's pointing game, checked by hand: the bilinear resize (align_corners=False) of a small map, the first
// maximum in row-major order, the strict 15-pixel tolerance against a box's pixels, and the mean of per-class rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitsWithin, PerClassPointing, upsampledArgmax } from '../../../src/evaluation/torchrayPointing';
import type { PreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';

/** A processor that neither resizes nor crops: the grid covers the whole image. */
const plain = { resize: false, centerCrop: false } as PreprocessorConfig;

test('the map resized to the pixels peaks where bilinear interpolation says', () => {
  // 2 x 2 map [[0, 1], [0, 0]] on a 4 x 4 image: pixel x samples column x / 2 - 0.25 (clamped), row likewise, so
  // row 0 reads [0, 0.25, 0.75, 1] and row 1 [0, 0.1875, 0.5625, 0.75]: the maximum is pixel (3, 0).
  assert.deepEqual(upsampledArgmax(Float32Array.from([0, 1, 0, 0]), { rows: 2, cols: 2 }, { width: 4, height: 4 }, plain), { x: 3, y: 0 });
  // A one-hot cell of an 8 x 8 grid on 224 pixels: its centre falls between pixels 28c + 13 and 28c + 14, equal
  // values, and torch.argmax takes the first.
  const map = new Float32Array(64);
  map[2 * 8 + 5] = 1;
  assert.deepEqual(upsampledArgmax(map, { rows: 8, cols: 8 }, { width: 224, height: 224 }, plain), { x: 28 * 5 + 13, y: 28 * 2 + 13 });
});

test('a hit is a box pixel closer than 15 pixels, strictly', () => {
  const box = { x0: 20, y0: 40, x1: 30, y1: 50 };
  assert.equal(hitsWithin({ x: 5, y: 45 }, [box]), false, '15 pixels from x = 20 is not closer than 15');
  assert.equal(hitsWithin({ x: 6, y: 45 }, [box]), true);
  // The box's last pixel column is 29: 15 from x = 44 is a miss, 14 a hit; a corner by both axes: 9² + 12² = 225.
  assert.equal(hitsWithin({ x: 44, y: 45 }, [box]), false);
  assert.equal(hitsWithin({ x: 43, y: 45 }, [box]), true);
  assert.equal(hitsWithin({ x: 38, y: 61 }, [box]), false);
  assert.equal(hitsWithin({ x: 38, y: 60 }, [box]), true);
  assert.equal(hitsWithin({ x: 0, y: 0 }, [box, { x0: 0, y0: 10, x1: 5, y1: 20 }]), true, 'any box of the class');
});

test('the accuracy is the mean of the per-class hit rates, not of the objects', () => {
  const pointing = new PerClassPointing();
  assert.equal(pointing.accuracy(), null);
  pointing.add('a red circle', true);
  for (let i = 0; i < 3; i++) pointing.add('a blue square', false);
  assert.equal(pointing.accuracy(), 0.5, 'one class at 1/1, one at 0/3; over the objects it would be 0.25');
});
