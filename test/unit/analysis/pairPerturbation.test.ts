// The pieces MM-SHAP and text occlusion share, worked by hand: a coalition batch hides exactly the tokens and
// patches its rows leave out (ids made the mask id, pixels the fill) and holds each distinct image and text row once;
// T-SHAP and V-SHAP are the modalities' shares of the absolute values; the authors' grid is ceil(sqrt(tokens)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorsGrid, modalityShares } from '../../../src/analysis/perturbation/mmShap';
import { coalitionBatch, type PairFeatures } from '../../../src/analysis/perturbation/pairPerturbation';

// One channel, 4 x 4 pixels valued 1..16, a 2 x 2 grid; the text [start, 7, 8, end] with tokens 1 and 2 hideable.
const features: PairFeatures = {
  image: { data: Float32Array.from({ length: 16 }, (_, i) => i + 1), height: 4, width: 4, rows: 2, cols: 2 },
  fill: { kind: 'gray', value: [0] },
  text: { ids: [100, 7, 8, 101], tokens: ['<s>', 'a', 'b', '</s>'], positions: [1, 2], maskId: 0 },
};

test('a coalition batch hides what each row leaves out and keeps each distinct image and text once', () => {
  // Features: token a, token b, then patches (0,0), (0,1), (1,0), (1,1).
  const rows = [
    [1, 1, 1, 1, 1, 1], // everything
    [0, 1, 1, 1, 1, 1], // token a hidden: same image as row 0
    [1, 1, 0, 1, 1, 0], // patches (0,0) and (1,1) hidden: same text as row 0
    [0, 1, 0, 1, 1, 0], // both: the text of row 1 and the image of row 2
  ];
  const batch = coalitionBatch(features, Uint8Array.from(rows.flat()), rows.length);
  assert.deepEqual(batch.ids, [[100, 7, 8, 101], [100, 0, 8, 101]]);
  assert.equal(batch.images, 2);
  assert.deepEqual(Array.from(batch.pairs), [0, 0, 0, 1, 1, 0, 1, 1]);
  assert.deepEqual(Array.from(batch.pixels.subarray(0, 16)), Array.from(features.image.data));
  assert.deepEqual(Array.from(batch.pixels.subarray(16)), [0, 0, 3, 4, 0, 0, 7, 8, 9, 10, 0, 0, 13, 14, 0, 0]);
});

test('T-SHAP and V-SHAP are the shares of the absolute Shapley values; an all-zero pair is refused', () => {
  const { tShap, vShap } = modalityShares([0.3, -0.1], [0.2, -0.4, 0]);
  assert.ok(Math.abs(tShap - 0.4) < 1e-12 && Math.abs(vShap - 0.6) < 1e-12);
  assert.throws(() => modalityShares([0], [0, 0]), /neither modality has a share/);
});

test('the authors\' grid: ceil(sqrt(text tokens))', () => {
  assert.deepEqual([1, 4, 5, 9, 10, 77].map(authorsGrid), [1, 2, 3, 3, 4, 9]);
});
