// Issue 7 item 4, the manifest cases test/unit/probe/manifest*.test.ts leave open: JSONL with CRLF and a BOM
// together, a COCO file with a BOM, a BOM before a CSV header that lacks a column (the error must not show
// the BOM), a directory and an empty file given as the manifest, and every row's image missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../../../src/inference/datasets/manifest';
import { rejectsLens } from './lensAssert';

let work: string;
const img = (name: string) => join(work, 'imgs', name);

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-badmanifest-'));
  mkdirSync(join(work, 'imgs'));
  for (const name of ['a.png', 'b.png']) writeFileSync(img(name), 'not read by the reader');
});
after(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

test('JSONL with a BOM and CRLF line ends, and a COCO file with a BOM, read as without them', async () => {
  const jsonl = file('win.jsonl', '\ufeff{"image": "imgs/a.png", "caption": "red"}\r\n{"image": "imgs/b.png", "caption": "blue"}\r\n\r\n');
  assert.deepEqual((await readManifest({ path: jsonl })).pairs, [{ image: img('a.png'), caption: 'red', where: 'line 1' }, { image: img('b.png'), caption: 'blue', where: 'line 2' }]);
  const coco = { images: [{ id: 1, file_name: 'imgs/a.png' }, { id: 2, file_name: 'imgs/b.png' }], annotations: [{ image_id: 1, caption: 'red' }, { image_id: 2, caption: 'blue' }] };
  const path = file('win.json', `\ufeff${JSON.stringify(coco, null, 2).replace(/\n/g, '\r\n')}`);
  assert.deepEqual((await readManifest({ path })).pairs.map((p) => p.caption), ['red', 'blue']);
});

test('a BOM before a CSV header without the caption column: the error lists the columns without the BOM', async () => {
  const error = await rejectsLens(readManifest({ path: file('bom.csv', '\ufeffimage,text\r\nimgs/a.png,x\r\n') }), { kind: 'badInput', what: [/bom\.csv line 1: the header has no "caption" column \(its columns: "image", "text"\)/] });
  assert.ok(!error.message.includes('\ufeff'));
});

test('a folder or an empty file as the manifest, and a manifest whose every image is missing', async () => {
  await rejectsLens(readManifest({ path: join(work, 'imgs') }), { kind: 'badInput', what: [/imgs/] });
  await rejectsLens(readManifest({ path: file('empty.jsonl', '') }), { kind: 'badInput', what: [/empty\.jsonl/] });
  const gone = ['x', 'y', 'z'].map((n) => JSON.stringify({ image: `imgs/${n}.png`, caption: n })).join('\n');
  await rejectsLens(readManifest({ path: file('gone.jsonl', gone) }), { kind: 'badInput', what: [/gone\.jsonl gives 0 usable/, /3 row\(s\) name images that do not exist/] });
});
