// Several boxes on a patch grid (src/evaluation/pointing.ts): the covered share of a patch is the union's, checked by
// counting the centres of a fine raster of the patch that fall in any box; a patch touches when any box does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxesOnGrid, coveredShare, patchRect, unionCoveredShare, type Rect } from '../../../src/evaluation/pointing';
import type { PreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';

/** The share of `a` inside any box, by an n x n raster of point samples at cell centres. */
function rasterShare(a: Rect, boxes: Rect[], n = 400): number {
  let inside = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = a.x0 + ((i + 0.5) / n) * (a.x1 - a.x0);
      const y = a.y0 + ((j + 0.5) / n) * (a.y1 - a.y0);
      if (boxes.some((b) => b.x0 <= x && x < b.x1 && b.y0 <= y && y < b.y1)) inside++;
    }
  }
  return inside / (n * n);
}

test('the union share equals a raster count for overlapping, nested, disjoint and outside boxes', () => {
  const patch = { x0: 10, y0: 20, x1: 30, y1: 50 };
  const cases: Rect[][] = [
    [{ x0: 0, y0: 0, x1: 15, y1: 30 }, { x0: 12, y0: 25, x1: 40, y1: 40 }],
    [{ x0: 11, y0: 21, x1: 29, y1: 49 }, { x0: 15, y0: 30, x1: 20, y1: 35 }],
    [{ x0: 10, y0: 20, x1: 14, y1: 50 }, { x0: 26, y0: 20, x1: 30, y1: 50 }, { x0: 12, y0: 22, x1: 28, y1: 24 }],
    [{ x0: 100, y0: 100, x1: 120, y1: 120 }],
    [],
  ];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < 20; k++) {
    cases.push(Array.from({ length: 1 + (k % 4) }, () => {
      const [x, y] = [random() * 40, random() * 60];
      return { x0: x, y0: y, x1: x + 1 + random() * 20, y1: y + 1 + random() * 25 };
    }));
  }
  for (const boxes of cases) {
    assert.ok(Math.abs(unionCoveredShare(patch, boxes) - rasterShare(patch, boxes)) < 5e-3, JSON.stringify(boxes));
  }
  // One box: the plain covered share.
  const one = { x0: 5, y0: 30, x1: 20, y1: 70 };
  assert.equal(unionCoveredShare(patch, [one]), coveredShare(patch, one));
});

const CLIP_LIKE: PreprocessorConfig = {
  resize: true, shortestEdge: 4, resample: 'bicubic', centerCrop: true, cropSize: { height: 4, width: 4 },
  rescale: true, rescaleFactor: 1 / 255, normalize: false, mean: [0, 0, 0], std: [1, 1, 1], convertRgb: true, notes: [],
};

test('a patch touches when any box does; a box beside the crop touches nothing', () => {
  // A 8 x 4 image: resized to 8 x 4 (short side 4), the crop takes x 2..6; a 2 x 2 grid has patches 2 pixels wide.
  const grid = { rows: 2, cols: 2 };
  const image = { width: 8, height: 4 };
  assert.deepEqual(patchRect({ row: 0, col: 0 }, grid, image, CLIP_LIKE), { x0: 2, x1: 4, y0: 0, y1: 2 });
  const onGrid = boxesOnGrid([{ x0: 0, y0: 0, x1: 1, y1: 1 }, { x0: 5, y0: 3, x1: 6, y1: 4 }], grid, image, CLIP_LIKE);
  assert.deepEqual([onGrid.touches(0, 0), onGrid.touches(0, 1), onGrid.touches(1, 0), onGrid.touches(1, 1)], [false, false, false, true]);
  assert.equal(onGrid.share(1, 1), 0.25);
});
