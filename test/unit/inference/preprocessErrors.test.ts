// preprocessImage refuses unusable inputs with a badInput error that names the path and says what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { identityConfig, pngHeaderOnly } from './imageFixtures';

const cfg = identityConfig();

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mmlens-img-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Asserts a badInput LensError whose message matches every pattern. */
async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LensError, `not a LensError: ${error}`);
    assert.equal(error.kind, 'badInput');
    assert.ok(error.fix && error.fix.length > 0, 'has a fix');
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

test('a missing file, a folder and an empty file are named with the path', async () => {
  await withDir(async (dir) => {
    const missing = join(dir, 'nope.png');
    await rejectsWith(preprocessImage(missing, cfg), /not found/, /nope\.png/);
    await rejectsWith(preprocessImage(dir, cfg), /is a folder, not an image/);
    const empty = join(dir, 'empty.png');
    await writeFile(empty, '');
    await rejectsWith(preprocessImage(empty, cfg), /empty\.png is empty/);
    await rejectsWith(preprocessImage(new Uint8Array(0), cfg), /empty/);
  });
});

test('a text file named .png and a truncated PNG are "not a readable image" with sharp\'s reason', async () => {
  await withDir(async (dir) => {
    const text = join(dir, 'notes.png');
    await writeFile(text, 'just some text, not pixels');
    await rejectsWith(preprocessImage(text, cfg), /notes\.png is not a readable image \(.*unsupported image format/);

    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } }).png({ compressionLevel: 0 }).toBuffer();
    const truncated = join(dir, 'cut.png');
    await writeFile(truncated, png.subarray(0, png.length / 2));
    await rejectsWith(preprocessImage(truncated, cfg), /cut\.png is not a readable image/);
  });
});

test('an image over the pixel limit is refused from its header, with a fix that says how to raise the limit', async () => {
  // 30000 x 30000 = 900 megapixels claimed by a ~100-byte file: decoding it would need 2.7 GB.
  const bomb = pngHeaderOnly(30000, 30000);
  await assert.rejects(preprocessImage(bomb, cfg), (error: unknown) => {
    assert.ok(error instanceof LensError && error.kind === 'badInput');
    assert.match(error.message, /30000x30000 is 900 megapixels, over the limit of 50 megapixels/);
    assert.match(error.fix ?? '', /raise the limit/);
    return true;
  });
  const small = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#00ff00' } }).png().toBuffer();
  await rejectsWith(preprocessImage(small, cfg, { maxPixels: 399 }), /20x20 is 400 pixels, over the limit of 399 pixels/);
  const ok = await preprocessImage(small, cfg, { maxPixels: 400 });
  assert.equal(ok.pixels.length, 3 * 400);
});

test('an unreadable file says permission denied', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, async () => {
  await withDir(async (dir) => {
    const locked = join(dir, 'locked.png');
    await writeFile(locked, await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer());
    await chmod(locked, 0o000);
    await rejectsWith(preprocessImage(locked, cfg), /locked\.png: permission denied/);
  });
});
