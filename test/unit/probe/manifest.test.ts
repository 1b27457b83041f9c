// Manifest readers on hand-written files: JSONL, CSV (quotes, doubled quotes, line breaks in fields, CRLF,
// a byte-order mark, chosen columns), COCO captions; missing images skipped and counted, the limit, and the
// errors a user gets for a missing column or field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { splitCsvRecord } from '../../../src/inference/datasets/csvRecord';
import { readManifest, type ManifestOptions } from '../../../src/inference/datasets/manifest';

let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-manifest-'));
  mkdirSync(join(work, 'imgs'));
  for (const name of ['a.png', 'b.png', 'c.png']) writeFileSync(join(work, 'imgs', name), 'not read by the reader');
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The path of `name` in the work folder, written with `text` when given (else an earlier file is reused). */
function file(name: string, text?: string): string {
  const path = join(work, name);
  if (text !== undefined) writeFileSync(path, text);
  return path;
}

const img = (name: string) => join(work, 'imgs', name);

function rejectsInput(options: ManifestOptions, pattern: RegExp): Promise<void> {
  return assert.rejects(readManifest(options), (e: unknown) => e instanceof LensError && e.kind === 'badInput' && pattern.test(e.message));
}

test('JSONL: one pair per line, paths relative to the manifest folder, blank lines and a BOM ignored', async () => {
  const path = file('set.jsonl', '\ufeff{"image": "imgs/a.png", "caption": "a red circle"}\n\n{"image": "imgs/b.png", "caption": "two\\nlines", "extra": 1}\r\n');
  const manifest = await readManifest({ path });
  assert.equal(manifest.format, 'jsonl');
  assert.deepEqual(manifest.pairs, [{ image: img('a.png'), caption: 'a red circle', where: 'line 1' }, { image: img('b.png'), caption: 'two\nlines', where: 'line 3' }]);
  assert.equal(manifest.labelled, false);
  assert.equal(manifest.limited, false);
  assert.deepEqual(manifest.missingImages, { count: 0, examples: [] });
});

test('JSONL: labels 1/0/true/false; chosen field names; a row without a label in a labelled file is an error', async () => {
  const path = file('labels.jsonl', ['{"file": "imgs/a.png", "text": "x", "label": 1}', '{"file": "imgs/b.png", "text": "y", "label": false}', '{"file": "imgs/c.png", "text": "z", "label": "1"}'].join('\n'));
  const manifest = await readManifest({ path, fields: { image: 'file', caption: 'text' } });
  assert.deepEqual(manifest.pairs.map((p) => p.label), [true, false, true]);
  assert.equal(manifest.labelled, true);
  await rejectsInput({ path: file('mixed.jsonl', '{"image": "imgs/a.png", "caption": "x", "label": 1}\n{"image": "imgs/b.png", "caption": "y"}\n') }, /mixed\.jsonl line 2 has no label, but line 1/);
  await rejectsInput({ path: file('badlabel.jsonl', '{"image": "imgs/a.png", "caption": "x", "label": 2}\n') }, /line 1: "label" must be 1 .* got 2/);
});

test('JSONL: a missing field, a non-string caption or a broken line names the line', async () => {
  await rejectsInput({ path: file('nocap.jsonl', '{"image": "imgs/a.png", "caption": "x"}\n{"image": "imgs/b.png"}\n') }, /nocap\.jsonl line 2: no "caption" field/);
  await rejectsInput({ path: file('nocap.jsonl'), fields: { caption: 'text' } }, /line 1: no "text" field/);
  await rejectsInput({ path: file('numcap.jsonl', '{"image": "imgs/a.png", "caption": 3}\n') }, /line 1: "caption" must be a string/);
  await rejectsInput({ path: file('broken.jsonl', '{"image": "imgs/a.png", "caption": "x"}\n{"image": \n') }, /broken\.jsonl line 2 is not valid JSON/);
  await rejectsInput({ path: file('array.jsonl', '["imgs/a.png", "x"]\n') }, /line 1 is not a JSON object/);
});

test('CSV: quoted fields with commas, doubled quotes and line breaks; CRLF; BOM; header names in any case', async () => {
  const text = '\ufeffId,Caption,IMAGE\r\n1,"a cat, sitting",imgs/a.png\r\n2,"she said ""hi""",imgs/b.png\r\n3,"first line\r\nsecond line",imgs/c.png\r\n\r\n';
  const manifest = await readManifest({ path: file('set.csv', text) });
  assert.equal(manifest.format, 'csv');
  assert.deepEqual(manifest.pairs, [
    { image: img('a.png'), caption: 'a cat, sitting', where: 'line 2' },
    { image: img('b.png'), caption: 'she said "hi"', where: 'line 3' },
    // readline splits at the CRLF inside the quotes; the reader joins the record back with \n.
    { image: img('c.png'), caption: 'first line\nsecond line', where: 'line 4' },
  ]);
});

test('CSV: chosen columns and a label column', async () => {
  const path = file('chosen.csv', 'path,text,label\nimgs/a.png,red,1\nimgs/b.png,blue,0\n');
  const manifest = await readManifest({ path, fields: { image: 'path', caption: 'text' } });
  assert.deepEqual(manifest.pairs, [{ image: img('a.png'), caption: 'red', label: true, where: 'line 2' }, { image: img('b.png'), caption: 'blue', label: false, where: 'line 3' }]);
});

test('CSV: a missing column names it and line 1; a short row and an unclosed quote name their line', async () => {
  await rejectsInput({ path: file('nocol.csv', 'image,text\nimgs/a.png,x\n') }, /nocol\.csv line 1: the header has no "caption" column \(its columns: "image", "text"\)/);
  await rejectsInput({ path: file('nocol.csv'), fields: { image: 'file' } }, /line 1: the header has no "file" column/);
  await rejectsInput({ path: file('short.csv', 'image,caption\nimgs/a.png,x\nimgs/b.png\n') }, /short\.csv line 3 has 1 fields, but the header has 2/);
  await rejectsInput({ path: file('open.csv', 'image,caption\nimgs/a.png,"never closed\nimgs/b.png,y\n') }, /open\.csv line 2: a quoted field is never closed/);
  await rejectsInput({ path: file('empty.csv', 'image,caption\n,x\n') }, /line 2: "image" must be a non-empty path/);
});

test('COCO: the first caption per image by default, every annotation with allCaptions', async () => {
  const coco = {
    images: [{ id: 7, file_name: 'b.png' }, { id: 3, file_name: 'a.png' }, { id: 9, file_name: 'c.png' }],
    annotations: [{ image_id: 3, caption: 'a one' }, { image_id: 7, caption: 'b one' }, { image_id: 3, caption: 'a two' }],
  };
  const path = file('captions.json', JSON.stringify(coco));
  const first = await readManifest({ path, imageRoot: join(work, 'imgs') });
  assert.equal(first.format, 'coco');
  // In the order of `images`; image 9 has no caption and gives no pair.
  assert.deepEqual(first.pairs, [{ image: img('b.png'), caption: 'b one', where: 'annotations[1]' }, { image: img('a.png'), caption: 'a one', where: 'annotations[0]' }]);
  const all = await readManifest({ path, imageRoot: join(work, 'imgs'), allCaptions: true });
  assert.deepEqual(all.pairs.map((p) => p.caption), ['a one', 'b one', 'a two']);
  await rejectsInput({ path: file('nococo.json', '{"images": []}') }, /nococo\.json: no "annotations" array/);
  await rejectsInput({ path: file('badref.json', JSON.stringify({ images: coco.images, annotations: [{ image_id: 4, caption: 'x' }] })) }, /annotations\[0\]: image_id 4 is not in "images"/);
  await rejectsInput({ path: file('syntax.json', '{"images": [,]}') }, /syntax\.json is not valid JSON: .*line 1, column/);
  // Issue 19 item 9: a repeated image id silently dropped the first image and gave its captions to the second.
  const twice = { images: [...coco.images, { id: 3, file_name: 'd.png' }], annotations: coco.annotations };
  await rejectsInput({ path: file('twice.json', JSON.stringify(twice)) }, /twice\.json images\[3\]: id 3 is already the id of images\[1\]/);
});

test('rows whose image is missing are skipped, counted and listed; the limit stops reading', async () => {
  const rows = ['imgs/a.png', 'imgs/gone1.png', 'imgs/b.png', 'imgs/gone2.png', 'imgs/c.png', 'imgs/a.png'].map((image, i) => JSON.stringify({ image, caption: `c${i}` }));
  const path = file('gaps.jsonl', rows.join('\n'));
  const all = await readManifest({ path });
  assert.deepEqual(all.pairs.map((p) => p.caption), ['c0', 'c2', 'c4', 'c5']);
  assert.deepEqual(all.missingImages, { count: 2, examples: [`line 2: ${img('gone1.png')}`, `line 4: ${img('gone2.png')}`] });
  const limited = await readManifest({ path, limit: 2 });
  assert.deepEqual(limited.pairs.map((p) => p.caption), ['c0', 'c2']);
  assert.equal(limited.limited, true);
  assert.equal(limited.missingImages.count, 1);
});

test('too few usable pairs, a bad limit, an unknown extension or a missing file are user errors', async () => {
  await rejectsInput({ path: file('one.jsonl', '{"image": "imgs/a.png", "caption": "x"}\n{"image": "imgs/none.png", "caption": "y"}\n') }, /one\.jsonl gives 1 usable .* at least 2\. 1 row\(s\) name images that do not exist \(line 2: /);
  await rejectsInput({ path: file('ok.jsonl', '{"image": "imgs/a.png", "caption": "x"}\n'), limit: 1 }, /limit must be a whole number from 2/);
  await rejectsInput({ path: file('set.txt', 'x') }, /format of the manifest .*set\.txt/);
  await rejectsInput({ path: join(work, 'absent.jsonl') }, /absent\.jsonl does not exist/);
  await rejectsInput({ path: join(work, 'imgs.csv') }, /does not exist or is not a file/);
});

test('splitCsvRecord follows RFC 4180 and keeps stray quotes as written', () => {
  const cases: [string, string[] | undefined][] = [
    ['a,b', ['a', 'b']],
    ['a,', ['a', '']],
    ['', ['']],
    ['""', ['']],
    ['"a,b",c', ['a,b', 'c']],
    ['"x""y",""""', ['x"y', '"']],
    ['ab"c,d', ['ab"c', 'd']],
    ['"a"b,c', ['ab', 'c']],
    ['"open,x', undefined],
    ['"one\ntwo",3', ['one\ntwo', '3']],
  ];
  for (const [record, fields] of cases) assert.deepEqual(splitCsvRecord(record), fields, JSON.stringify(record));
});
