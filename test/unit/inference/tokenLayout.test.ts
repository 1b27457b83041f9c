// token_layout's image CLS token: where the patches start in the joint sequence, and layouts that cannot hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldReader } from '../../../src/inference/model/configFields';
import { LensError } from '../../../src/core/errors';
import { firstPatchIndex, jointLength } from '../../../src/core/tokenLayout';
import { parseTokenLayout } from '../../../src/inference/model/tokenLayout';

const parse = (layout: Record<string, unknown>) => parseTokenLayout({ token_layout: layout }, new FieldReader('config.json'))!;
// The shapes-fusion export: 12 text slots, then an 8x8 grid and no image CLS (Python writes None as null).
const fusion = { text_start: 0, text_end: 12, image_start: 12, image_tokens: 64, image_cls: null, cls_index: 0, rows: 8, cols: 8 };

test('without an image CLS the patches start at image_start; with one, right after it', () => {
  const plain = parse(fusion);
  assert.equal(plain.imageCls, undefined);
  assert.deepEqual([firstPatchIndex(plain), jointLength(plain)], [12, 76]);
  const withCls = parse({ ...fusion, image_tokens: 65, image_cls: 12 });
  assert.equal(withCls.imageCls, 12);
  assert.deepEqual([firstPatchIndex(withCls), jointLength(withCls)], [13, 77]);
  // Image first, then text: the patches still follow the image CLS.
  const imageFirst = parse({ text_start: 5, text_end: 13, image_start: 0, image_tokens: 5, image_cls: 0, rows: 2, cols: 2 });
  assert.deepEqual([firstPatchIndex(imageFirst), jointLength(imageFirst)], [1, 13]);
});

test('an image CLS elsewhere, a grid that leaves it no room, or a cls_index outside the sequence is refused', () => {
  const refuses = (layout: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => parse(layout), (e: unknown) => e instanceof LensError && e.kind === 'badModel' && pattern.test(e.message));
  refuses({ ...fusion, image_tokens: 65, image_cls: 76 }, /"token_layout\.image_cls" \(76\) must be the first image token, image_start \(12\)/);
  refuses({ ...fusion, image_cls: 12 }, /8x8 grid and an image CLS token, more than its 64 image_tokens/);
  refuses({ ...fusion, image_cls: -1 }, /"token_layout\.image_cls" must be a non-negative integer/);
  refuses({ ...fusion, cls_index: 76 }, /"token_layout\.cls_index" \(76\) is outside the 76 tokens/);
});
