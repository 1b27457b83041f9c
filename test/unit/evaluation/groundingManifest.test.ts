// Manifests with boxes (src/inference/datasets/groundingManifest.ts): phrase-grounding JSON Lines and COCO instances
// files read into images and their cases as written by hand here, with every faulty row refused by line and field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGroundingManifest, type GroundingImage } from '../../../src/inference/datasets/groundingManifest';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmlens-grounding-'));
  for (const name of ['a.png', 'b.png', 'c.png']) writeFileSync(join(dir, name), 'not read by the reader');
  mkdirSync(join(dir, 'outside'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function images(path: string): Promise<GroundingImage[]> {
  const manifest = await readGroundingManifest({ path });
  const out: GroundingImage[] = [];
  for await (const image of manifest.images) out.push(image);
  return out;
}

test('JSON Lines: consecutive rows of one image are one image with several phrases, boxes as written', async () => {
  const path = write('phrases.jsonl', [
    '{"image": "a.png", "text": "the cat", "boxes": [[1, 2, 30, 40]]}',
    '',
    '{"image": "a.png", "text": "both dogs", "boxes": [[0, 0, 5, 5], [10.5, 10, 20, 20.25]]}',
    '{"image": "b.png", "text": "a car", "boxes": [[3, 4, 5, 6]]}',
    '{"image": "a.png", "text": "the cat again", "boxes": [[1, 2, 3, 4]]}',
  ].join('\n'));
  const read = await images(path);
  assert.deepEqual(read.map((i) => [i.image, i.cases.map((c) => [c.label, c.where, c.boxes])]), [
    [join(dir, 'a.png'), [['the cat', 'line 1', [[1, 2, 30, 40]]], ['both dogs', 'line 3', [[0, 0, 5, 5], [10.5, 10, 20, 20.25]]]]],
    [join(dir, 'b.png'), [['a car', 'line 4', [[3, 4, 5, 6]]]]],
    [join(dir, 'a.png'), [['the cat again', 'line 5', [[1, 2, 3, 4]]]]],
  ]);
});

test('JSON Lines: rows whose image is missing or outside the folder are skipped and counted, not fatal', async () => {
  const path = write('skips.jsonl', [
    '{"image": "gone.png", "text": "x", "boxes": [[0, 0, 1, 1]]}',
    '{"image": "../elsewhere.png", "text": "y", "boxes": [[0, 0, 1, 1]]}',
    '{"image": "c.png", "text": "z", "boxes": [[0, 0, 1, 1]]}',
  ].join('\n'));
  const manifest = await readGroundingManifest({ path });
  const read: GroundingImage[] = [];
  for await (const image of manifest.images) read.push(image);
  assert.deepEqual(read.map((i) => i.image), [join(dir, 'c.png')]);
  assert.equal(manifest.missingImages.count, 1);
  assert.match(manifest.missingImages.examples[0], /^line 1: .*gone\.png$/);
  assert.equal(manifest.outsideImages.count, 1);
  assert.match(manifest.outsideImages.examples[0], /^line 2: /);
});

test('JSON Lines: a faulty row is refused naming its line and what to write', async () => {
  const cases: [string, RegExp][] = [
    ['{"image": "a.png", "text": "x", "boxes": [[10, 10, 5, 20]]}', /line 1 boxes\[0\] is \[10, 10, 5, 20\]: its right and bottom must exceed its left and top.*corners \[x0, y0, x1, y1\], not as \[x, y, width, height\]/s],
    ['{"image": "a.png", "text": "x", "boxes": [[1, 2, 3]]}', /line 1 boxes\[0\] must be \[x0, y0, x1, y1\]/],
    ['{"image": "a.png", "text": "x", "boxes": [[0, 0, "1", 1]]}', /line 1 boxes\[0\] must be/],
    ['{"image": "a.png", "text": "x", "boxes": []}', /line 1: "boxes" must be a non-empty list/],
    ['{"image": "a.png", "text": "x"}', /line 1: "boxes" must be a non-empty list of \[x0, y0, x1, y1\], got null/],
    ['{"image": "a.png", "text": "  ", "boxes": [[0, 0, 1, 1]]}', /line 1: "text" is empty/],
    ['{"image": "a.png", "boxes": [[0, 0, 1, 1]]}', /line 1: no "text" field/],
    ['{"text": "x", "boxes": [[0, 0, 1, 1]]}', /line 1: no "image" field/],
    ['{"image": "a.png", "text": "x", "boxes": [[0, 0, 1e400, 1]]}', /line 1 boxes\[0\] must be/],
    ['["a.png"]', /line 1 is not a JSON object/],
    ['{"image": ', /line 1 is not valid JSON/],
  ];
  for (const [line, message] of cases) {
    await assert.rejects(images(write('bad.jsonl', line)), (error: Error) => (error as { kind?: string }).kind === 'badInput' && message.test(`${error.message} ${(error as { fix?: string }).fix ?? ''}`), line);
  }
});

test('COCO instances: each image with each category it holds, in the order of images then categories, every box of a category together', async () => {
  const path = write('instances.json', JSON.stringify({
    images: [{ id: 7, file_name: 'b.png' }, { id: 3, file_name: 'a.png' }, { id: 9, file_name: 'c.png' }],
    categories: [{ id: 18, name: 'dog' }, { id: 1, name: 'person' }, { id: 44, name: ' bottle ' }],
    annotations: [
      { image_id: 3, category_id: 1, bbox: [10, 20, 30, 40] },
      { image_id: 7, category_id: 1, bbox: [0, 0, 1, 2] },
      { image_id: 3, category_id: 18, bbox: [1.5, 2.5, 3, 4] },
      { image_id: 3, category_id: 1, bbox: [50, 60, 5, 5], iscrowd: 1 },
    ],
  }));
  const manifest = await readGroundingManifest({ path });
  assert.equal(manifest.format, 'coco');
  assert.deepEqual(manifest.categories, ['dog', 'person', 'bottle']);
  const read: GroundingImage[] = [];
  for await (const image of manifest.images) read.push(image);
  // c.png holds no annotation, so no case; boxes become corners [x, y, x + w, y + h].
  assert.deepEqual(read.map((i) => [i.image, i.cases.map((c) => [c.label, c.where, c.boxes])]), [
    [join(dir, 'b.png'), [['person', 'images[0], category 1', [[0, 0, 1, 2]]]]],
    [join(dir, 'a.png'), [['dog', 'images[1], category 18', [[1.5, 2.5, 4.5, 6.5]]], ['person', 'images[1], category 1', [[10, 20, 40, 60], [50, 60, 55, 65]]]]],
  ]);
});

test('COCO: a captions file, unknown ids and empty boxes are refused with what the file should hold', async () => {
  const base = { images: [{ id: 1, file_name: 'a.png' }], categories: [{ id: 1, name: 'cat' }] };
  const cases: [unknown, RegExp][] = [
    [{ images: base.images, annotations: [{ image_id: 1, caption: 'a cat' }] }, /no "categories" array, so it is not a COCO instances file \(a captions file has none: use it with `mmlens probe`\)/],
    [{ ...base, annotations: [{ image_id: 2, category_id: 1, bbox: [0, 0, 1, 1] }] }, /annotations\[0\]: image_id 2 is not in "images"/],
    [{ ...base, annotations: [{ image_id: 1, category_id: 5, bbox: [0, 0, 1, 1] }] }, /annotations\[0\]: category_id 5 is not in "categories"/],
    [{ ...base, annotations: [{ image_id: 1, category_id: 1, bbox: [0, 0, 0, 1] }] }, /annotations\[0\]: "bbox" \[0, 0, 0, 1\] has no area/],
    [{ ...base, annotations: [{ image_id: 1, category_id: 1 }] }, /annotations\[0\]: "bbox" must be \[x, y, width, height\]/],
    [{ ...base, categories: [{ id: 1, name: '' }], annotations: [] }, /categories\[0\]: "name" must be a non-empty string/],
    [{ images: [{ id: 1, file_name: 'a.png' }, { id: 1, file_name: 'b.png' }], categories: [], annotations: [] }, /images\[1\]: id 1 is already the id of images\[0\]/],
  ];
  for (const [content, message] of cases) {
    await assert.rejects(images(write('bad.json', JSON.stringify(content))), (error: Error) => message.test(error.message), JSON.stringify(content));
  }
});

test('an extension that is neither .jsonl nor .json, and a manifest that is not there, are refused', async () => {
  await assert.rejects(readGroundingManifest({ path: write('boxes.csv', 'image,text\n') }), /Cannot tell the format of the manifest .*boxes\.csv/);
  await assert.rejects(readGroundingManifest({ path: join(dir, 'none.jsonl') }), /does not exist or is not a file/);
});
