// A 100 000-row CSV manifest (about 20 MB) is read as a stream: the heap after a forced collection stays
// flat while the rows go by, where holding the file or the rows would add tens of megabytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { manifestRows, readManifest } from '../../../src/inference/datasets/manifest';

const ROWS = 100_000;
const caption = (i: number) => `"row ${i}: a photo of a small red circle, next to a big blue square, on a white background ${'x'.repeat(100)}"`;
let work: string;
let path: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-stream-'));
  writeFileSync(join(work, 'a.png'), 'x');
  path = join(work, 'big.csv');
  const fd = openSync(path, 'w');
  writeSync(fd, 'image,caption\r\n');
  for (let start = 0; start < ROWS; start += 1000) {
    writeSync(fd, Array.from({ length: 1000 }, (_, k) => `a.png,${caption(start + k)}\r\n`).join(''));
  }
  closeSync(fd);
});
after(() => rmSync(work, { recursive: true, force: true }));

test('every row of a 100k-row CSV is read with bounded heap growth', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heapAfterGc = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let count = 0;
  let early = 0;
  let late = 0;
  let last = '';
  for await (const row of manifestRows({ path })) {
    count += 1;
    last = row.caption;
    if (count === 1_000) early = heapAfterGc();
    if (count === 90_000) late = heapAfterGc();
  }
  assert.equal(count, ROWS);
  assert.equal(last, caption(ROWS - 1).slice(1, -1));
  const growth = late - early;
  assert.ok(growth < 4 * 2 ** 20, `heap grew by ${(growth / 2 ** 20).toFixed(1)} MB between rows 1 000 and 90 000`);
});

test('with a limit, reading stops early and says the set was cut', async () => {
  const manifest = await readManifest({ path, limit: 500 });
  assert.equal(manifest.pairs.length, 500);
  assert.equal(manifest.limited, true);
  assert.equal(manifest.pairs[499].caption, caption(499).slice(1, -1));
});
