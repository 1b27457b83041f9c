// Packed attention read back by the page's reader (webview/attentionRows.ts) equals the tapped attention within half
// a level of each row's segment range (checked value by value against the range computed here from the input), the
// thumbnails level keeps only the first token's rows, and the level a report gets by default follows its byte count;
// a text tower is cut to its real tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_ATTENTION_BUDGET, packAttention, packTextTower, pageAnalysis } from '../../../src/inference/tasks/packAttention';
import { SCHEMA_VERSION } from '../../../src/shared/analysisResult';
import { AttentionRows } from '../../../webview/attentionRows';
import { layersOf } from '../../support/layerAttention';

const GRID = { rows: 3, cols: 3 };
const TOKENS = 1 + GRID.rows * GRID.cols;

/** Seeded softmax rows with a heavy CLS key, so the two segments have very different ranges. */
function attention(layers: number, items: number, heads: number): number[][][][][] {
  let seed = 11;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: layers }, () => Array.from({ length: items }, () => Array.from({ length: heads }, () => Array.from({ length: TOKENS }, () => {
    const raw = Array.from({ length: TOKENS }, (_, k) => (k === 0 ? 40 : 1) * Math.exp(3 * next()));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / sum);
  }))));
}

/** The nested attention packed as the vision tower's, its patches after one CLS key. */
const pack = (nested: number[][][][][], level?: 'full' | 'thumbnails' | 'none') => packAttention('vision', layersOf(nested), nested[0].length, 1, { level });

test('every row decodes within half a level of its own segment range', () => {
  const nested = attention(2, 2, 3);
  const packed = pack(nested, 'full');
  assert.ok(packed);
  assert.equal(packed.level, 'full');
  const rows = new AttentionRows(packed.attention);
  assert.ok(rows.allQueries);
  let worstPatch = 0;
  nested.forEach((layer, l) => layer.forEach((item, i) => item.forEach((head, h) => head.forEach((row, q) => {
    const decoded = rows.row(l, i, h, q);
    assert.ok(decoded);
    for (const [from, to] of [[0, 1], [1, TOKENS]]) {
      const segment = row.slice(from, to);
      const span = Math.max(...segment) - Math.min(...segment);
      for (let k = from; k < to; k++) {
        const error = Math.abs(decoded[k] - row[k]);
        assert.ok(error <= span / 510 + 1e-7, `layer ${l} item ${i} head ${h} query ${q} key ${k}: off by ${error}, span ${span}`);
        if (from === 1) worstPatch = Math.max(worstPatch, error / span);
      }
    }
  }))));
  assert.ok(worstPatch > 0.0001, 'the values were quantised, not stored exactly');
  const matrix = rows.matrix(1, 1);
  assert.ok(matrix);
  assert.deepEqual(Array.from(matrix.subarray(2 * TOKENS * TOKENS + 3 * TOKENS, 2 * TOKENS * TOKENS + 4 * TOKENS)), Array.from(rows.row(1, 1, 2, 3) ?? []));
});

test('thumbnails keep the first token only; rows and matrices that are not there are null', () => {
  const packed = pack(attention(2, 1, 2), 'thumbnails');
  assert.ok(packed);
  const rows = new AttentionRows(packed.attention);
  assert.deepEqual(packed.attention.queries, [0]);
  assert.equal(rows.allQueries, false);
  assert.ok(rows.row(1, 0, 1, 0));
  assert.equal(rows.row(1, 0, 1, 1), null);
  assert.equal(rows.row(2, 0, 0, 0), null, 'no layer 2');
  assert.equal(rows.row(0, 0, 2, 0), null, 'no head 2');
  assert.equal(rows.matrix(0, 0), null);
});

test('by default a result whose rows fit the budget is packed in full, a larger one as thumbnails', () => {
  const rowBytes = TOKENS + 16;
  const small = attention(1, 1, 2);
  assert.equal(pack(small)?.level, 'full');
  // Enough heads that layers x items x heads x tokens x row bytes passes the budget.
  const heads = Math.ceil(FULL_ATTENTION_BUDGET / (TOKENS * rowBytes)) + 1;
  const large = [[Array.from({ length: heads }, () => small[0][0][0])]];
  assert.equal(pack(large)?.level, 'thumbnails');
  assert.equal(pack(small, 'none'), undefined);
});

test('a page gets the packed attention and neither the nested one nor the packed one inside its result', () => {
  const packed = pack(attention(1, 1, 2));
  const result = {
    schemaVersion: SCHEMA_VERSION,
    model: { name: 'm', architecture: 'twoTower' as const, executionProvider: 'cpu', notices: [] },
    images: [], texts: [], grid: GRID, similarity: [], probabilities: [], logitScale: 1, attentionObservable: true,
    maps: { rollout: [], alignment: [] }, timings: {}, attention: { vision: attention(1, 1, 2) }, pageAttention: packed,
  };
  const page = pageAnalysis(result);
  assert.equal(page.attention, packed);
  assert.deepEqual(Object.keys(page.result).filter((k) => k.toLowerCase().includes('attention')), ['attentionObservable']);
});

test('a text tower is cut to the longest text\'s real tokens: every query kept, each row its first slots, the padding gone', () => {
  const nested = attention(2, 2, 3);
  const real = 4;
  const packed = packTextTower(layersOf(nested), 2, real);
  assert.ok(packed);
  assert.deepEqual([packed.tokens, packed.patchStart, packed.queries], [real, real, [0, 1, 2, 3]]);
  const rows = new AttentionRows(packed);
  assert.ok(rows.allQueries);
  nested.forEach((layer, l) => layer.forEach((item, i) => item.forEach((head, h) => head.slice(0, real).forEach((row, q) => {
    const decoded = rows.row(l, i, h, q);
    assert.ok(decoded);
    assert.equal(decoded.length, real);
    const kept = row.slice(0, real);
    const span = Math.max(...kept) - Math.min(...kept);
    kept.forEach((v, k) => assert.ok(Math.abs(decoded[k] - v) <= span / 510 + 1e-7, `layer ${l} item ${i} head ${h} query ${q} key ${k}`));
  }))));
  assert.equal(packTextTower([], 2, real), undefined);
});
