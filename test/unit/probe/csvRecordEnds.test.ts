// Issue 19 item 5: a CSV manifest with one unclosed quote was re-split on every following line, quadratic in the
// file (32,000 rows 25 s, 100,000 rows over 90 s). The record ends are now found by one scan per line; they are
// checked against the splitter itself (a record ends at the first line where splitting the joined lines works).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../../src/analysis/random';
import { CsvRecordEnds, splitCsvRecord } from '../../../src/inference/datasets/csvRecord';
import { readManifest } from '../../../src/inference/datasets/manifest';
import { LensError } from '../../../src/core/errors';

/** Random CSV text of 1-4 records from an alphabet heavy in quotes, commas and line breaks. */
function randomCsv(random: () => number): string {
  const alphabet = ['"', '"', ',', '\n', 'a', 'b', ' ', '""'];
  return Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

/** Record boundaries by the splitter alone: after each line, does the record begun since the last end split? */
function endsBySplitting(lines: string[]): boolean[] {
  let pending: string[] = [];
  return lines.map((line) => {
    pending.push(line);
    const done = splitCsvRecord(pending.join('\n')) !== undefined;
    if (done) pending = [];
    return done;
  });
}

test('the line scanner ends records exactly where the splitter does, on 5,000 random texts', () => {
  const random = mulberry32(20261202);
  for (let n = 0; n < 5000; n++) {
    const lines = randomCsv(random).split('\n');
    const ends = new CsvRecordEnds();
    assert.deepEqual(lines.map((line) => ends.endsRecord(line)), endsBySplitting(lines), JSON.stringify(lines));
  }
});

test('100,000 rows after an unclosed quote are read once: the error names the quote\'s line, in bounded time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-csvquote-'));
  try {
    const path = join(dir, 'pairs.csv');
    const rows = Array.from({ length: 100_000 }, (_, i) => `img${i}.png,a caption ${i}`);
    writeFileSync(path, ['image,caption', '"img.png,an open quote', ...rows].join('\n'));
    const began = performance.now();
    await assert.rejects(readManifest({ path }), (e: unknown) => e instanceof LensError && /pairs\.csv line 2: a quoted field is never closed/.test(e.message));
    // Quadratic re-splitting took over 90 s here; one pass takes well under a second.
    assert.ok(performance.now() - began < 20_000, `read in ${Math.round(performance.now() - began)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
