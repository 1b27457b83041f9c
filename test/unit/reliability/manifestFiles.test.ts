// Issue 19, manifest files that are not what a line reader or a JSON reader expects: a JSONL or CSV line (or a
// quoted CSV record) longer than the line bound, up to past V8's string limit (a 600 MB sparse file, read only
// as far as the bound), and a FIFO named like a manifest (a plain read would wait for a writer forever).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mulberry32 } from '../../../src/analysis/random';
import { manifestRows, readManifest } from '../../../src/inference/datasets/manifest';
import { cocoRows } from '../../../src/inference/datasets/manifestCoco';
import { csvRows } from '../../../src/inference/datasets/manifestCsv';
import { jsonlRows } from '../../../src/inference/datasets/manifestJsonl';
import { DEFAULT_FIELDS } from '../../../src/inference/datasets/manifestFields';
import { MAX_LINE_BYTES, textLines } from '../../../src/inference/datasets/textLines';
import { rejectsLens } from './lensAssert';

let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-manifestfiles-'));
  mkdirSync(join(work, 'imgs'));
  for (const name of ['a.png', 'b.png']) writeFileSync(join(work, 'imgs', name), 'not read by the reader');
});
after(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Fails the test instead of hanging it when `work` does not settle within `ms`. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms (a hang)`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

test('the line reader keeps readline\'s line ends: LF, CRLF, a lone CR, a BOM on line 1, no empty last line', async () => {
  const path = file('ends.txt', '\ufeffone\r\ntwo\nthree\rfour\n\nsix\r\n');
  assert.deepEqual(await collect(textLines(path)), [
    { text: 'one', number: 1 }, { text: 'two', number: 2 }, { text: 'three', number: 3 }, { text: 'four', number: 4 }, { text: '', number: 5 }, { text: 'six', number: 6 },
  ]);
  assert.deepEqual((await collect(textLines(file('tail.txt', 'a\nb')))).map((l) => l.text), ['a', 'b']);
  // A CRLF split across the reader's chunks is still one line end; a multi-byte character split across them is whole.
  const long = `${'x'.repeat(65_535)}\r\n${'é'.repeat(40_000)}\n`;
  assert.deepEqual((await collect(textLines(file('chunks.txt', long)))).map((l) => l.text), ['x'.repeat(65_535), 'é'.repeat(40_000)]);
});

test('the line reader splits 60 random files as readline does, across chunk boundaries', async () => {
  const random = mulberry32(19);
  const pieces = ['a', 'bc', 'é', '猫', '😀', '\n', '\r', '\r\n', '\n\n'];
  for (let k = 0; k < 60; k++) {
    const length = k < 20 ? Math.floor(random() * 50) : 30_000 + Math.floor(random() * 40_000);
    const text = Array.from({ length }, () => pieces[Math.floor(random() * (random() < 0.8 ? 5 : pieces.length))]).join('');
    const path = file(`random${k}.txt`, text);
    const expected: string[] = [];
    for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) expected.push(line);
    assert.deepEqual((await collect(textLines(path))).map((l) => l.text), expected, `file ${k}`);
  }
});

test('a JSONL or CSV line longer than the bound is badInput naming the file and the line, before it is held whole', async () => {
  const row = JSON.stringify({ image: 'imgs/a.png', caption: 'red' });
  const jsonl = file('long.jsonl', `${row}\n${row.replace('red', 'r'.repeat(5_000))}\n${row}\n`);
  await rejectsLens(collect(jsonlRows(jsonl, DEFAULT_FIELDS, { maxLineBytes: 4_096 })), {
    kind: 'badInput', what: [/long\.jsonl line 2 is longer than 4096 bytes/], fix: /one row per line/,
  });
  // Under the bound the same file reads.
  assert.equal((await collect(jsonlRows(jsonl, DEFAULT_FIELDS, { maxLineBytes: 8_192 }))).length, 3);
  const csv = file('long.csv', `image,caption\nimgs/a.png,${'w'.repeat(5_000)}\n`);
  await rejectsLens(collect(csvRows(csv, DEFAULT_FIELDS, { maxLineBytes: 4_096 })), { kind: 'badInput', what: [/long\.csv line 2 is longer than 4096 bytes/] });
});

test('a quoted CSV record over many short lines is bounded as a whole, named by the line it starts on', async () => {
  const csv = file('record.csv', `image,caption\nimgs/a.png,ok\nimgs/b.png,"${'word\n'.repeat(2_000)}"\n`);
  await rejectsLens(collect(csvRows(csv, DEFAULT_FIELDS, { maxLineBytes: 4_096 })), {
    kind: 'badInput', what: [/record\.csv line 3: a record of more than 4096 bytes/], fix: /quote/,
  });
  assert.equal((await collect(csvRows(csv, DEFAULT_FIELDS, { maxLineBytes: 16_384 }))).length, 2);
});

test('a 600 MB line (past V8\'s string limit) is refused at the default bound without reading the file to its end', async () => {
  // A sparse file: one good row, then 600 MB of NUL bytes without a line break. Was: RangeError "Invalid string length".
  const path = join(work, 'huge.jsonl');
  writeFileSync(path, `${JSON.stringify({ image: 'imgs/a.png', caption: 'red' })}\n`);
  truncateSync(path, 600 * 2 ** 20);
  const began = performance.now();
  const before = process.memoryUsage().rss;
  await rejectsLens(readManifest({ path }), { kind: 'badInput', what: [new RegExp(`huge\\.jsonl line 2 is longer than ${MAX_LINE_BYTES} bytes \\(64 MB\\)`)] });
  assert.ok(performance.now() - began < 20_000, `took ${performance.now() - began} ms`);
  assert.ok(process.memoryUsage().rss - before < 400 * 2 ** 20, 'memory stays near the bound');
});

test('a FIFO named like a manifest is refused at once, by the COCO reader and the line reader alike', { skip: process.platform === 'win32' }, async () => {
  for (const name of ['captions.json', 'pairs.jsonl', 'pairs.csv']) execFileSync('mkfifo', [join(work, name)]);
  // Was: the COCO reader's readFile waited for a writer forever.
  await rejectsLens(within(cocoRows(join(work, 'captions.json'), false), 5_000, 'cocoRows'), { kind: 'badInput', what: [/captions\.json is not a regular file/] });
  await rejectsLens(within(collect(jsonlRows(join(work, 'pairs.jsonl'), DEFAULT_FIELDS)), 5_000, 'jsonlRows'), { kind: 'badInput', what: [/pairs\.jsonl is not a regular file/] });
  await rejectsLens(within(collect(csvRows(join(work, 'pairs.csv'), DEFAULT_FIELDS)), 5_000, 'csvRows'), { kind: 'badInput', what: [/pairs\.csv is not a regular file/] });
  // And through the manifest reader, which names the whole path.
  await rejectsLens(within(collect(manifestRows({ path: join(work, 'captions.json') })), 5_000, 'manifestRows'), { kind: 'badInput', what: [/captions\.json/] });
});

test('a COCO captions file over the size bound is refused unread, naming its size', async () => {
  const path = join(work, 'big.json');
  writeFileSync(path, '{"images": [], "annotations": []}');
  truncateSync(path, 300 * 2 ** 20);
  await rejectsLens(cocoRows(path, false), { kind: 'badInput', what: [/big\.json is 314572800 bytes, more than the 268435456/] });
});
