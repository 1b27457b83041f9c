// Issue 7 item 1, the image cases that test/unit/inference/preprocess*.test.ts leave open: truncated JPEG,
// 16-bit RGB with alpha, 1x1 and 10000x10 through the whole service, JPEG and GIF decompression bombs and the
// service's pixel-limit setting, a path through a file, a FIFO and a device, an animated GIF's notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { parsePreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';
import { InferenceService } from '../../../src/inference/service';
import { cosine } from '../../support/reference';
import { plainImageEmbeds, plainTextEmbeds, uniformPixels } from '../../support/tinyClip';
import { useTinyClipService } from '../../support/tinyClipService';
import { identityConfig } from '../inference/imageFixtures';
import { rejectsLens } from './lensAssert';


const run = useTinyClipService('mmlens-badimg-');

const notAnImage = (name: string) => ({ kind: 'badInput' as const, what: [new RegExp(`${name} is not a readable image`)], fix: /truncated or corrupt/ });

/** A real 8x8 baseline JPEG whose frame header is rewritten to declare width x height: a small file, a huge image. */
async function jpegBomb(width: number, height: number): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/** A GIF89a logical screen of width x height with one empty image block. */
function gifHeaderOnly(width: number, height: number): Buffer {
  const le = (n: number) => [n & 255, n >> 8];
  const image = [0x2c, 0, 0, 0, 0, ...le(width), ...le(height), 0, 2, 2, 0x4c, 0x01, 0];
  return Buffer.from([...Buffer.from('GIF89a'), ...le(width), ...le(height), 0x80, 0, 0, 0, 0, 0, 255, 255, 255, ...image, 0x3b]);
}

test('a truncated JPEG and a JPEG of only its first marker are not readable images, named by path', async () => {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
  const cut = join(run.work, 'cut.jpg');
  writeFileSync(cut, jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  await rejectsLens(preprocessImage(cut, identityConfig()), notAnImage('cut\\.jpg'));
  const soi = join(run.work, 'soi.jpg');
  writeFileSync(soi, Buffer.from([0xff, 0xd8]));
  await rejectsLens(preprocessImage(soi, identityConfig()), notAnImage('soi\\.jpg'));
});

test('16-bit RGB with alpha: v * 257 comes back as v, alpha dropped', async () => {
  const rgba = [10, 20, 30, 0, 255, 128, 0, 65];
  const png16 = await sharp(Buffer.from(rgba), { raw: { width: 2, height: 1, channels: 4 } }).toColourspace('rgb16').png().toBuffer();
  const meta = await sharp(png16).metadata();
  assert.deepEqual([meta.depth, meta.channels, meta.hasAlpha], ['ushort', 4, true]);
  const out = await preprocessImage(png16, identityConfig());
  // CHW: R plane (10, 255), G plane (20, 128), B plane (30, 0).
  assert.deepEqual([...out.pixels], [10, 255, 20, 128, 30, 0]);
});

test('a 1x1 and a 10000x10 image run through the whole service like a uniform image of their colour', async () => {
  const rgb = [40, 160, 90];
  const text = 'a green circle';
  // Resizing a uniform image keeps it uniform, so the similarity is that of the hand-made uniform tensor.
  const expected = cosine(await plainImageEmbeds(run.clip, uniformPixels(run.clip, rgb)), await plainTextEmbeds(run.clip, text));
  for (const [width, height] of [[1, 1], [10000, 10]]) {
    const path = join(run.work, `uniform-${width}x${height}.png`);
    await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
    const result = await run.service.analyze({ images: [path], texts: [text] });
    assert.deepEqual([result.images[0].width, result.images[0].height], [width, height]);
    assert.ok(Math.abs(result.similarity[0][0] - expected) < 1e-4, `${width}x${height}: ${result.similarity[0][0]} vs ${expected}`);
  }
});

test('10000x10 with the real CLIP 224 setting: resized to 224000x224, cropped to 224x224 of the same colour', async () => {
  const cfg = parsePreprocessorConfig({ size: 224, crop_size: 224, do_normalize: false, do_rescale: false });
  const png = await sharp({ create: { width: 10000, height: 10, channels: 3, background: '#0a141e' } }).png().toBuffer();
  const out = await preprocessImage(png, cfg);
  assert.deepEqual(out.outputSize, { height: 224, width: 224 });
  const plane = 224 * 224;
  for (const [c, value] of [10, 20, 30].entries()) assert.ok(out.pixels.subarray(c * plane, (c + 1) * plane).every((v) => v === value), `channel ${c}`);
});

test('JPEG and GIF decompression bombs are refused from their headers; the service limit setting decides', async () => {
  const bomb = await jpegBomb(60000, 60000);
  assert.ok(bomb.length < 1000);
  await rejectsLens(preprocessImage(bomb, identityConfig()), { kind: 'badInput', what: [/60000x60000 is 3600 megapixels, over the limit of 50 megapixels/], fix: /raise the limit/ });
  await rejectsLens(preprocessImage(gifHeaderOnly(65535, 65535), identityConfig()), { kind: 'badInput', what: [/65535x65535 is 4294\.8 megapixels/], fix: /image pixel limit setting/ });

  const path = join(run.work, 'forty.png');
  await sharp({ create: { width: 40, height: 40, channels: 3, background: '#808080' } }).png().toFile(path);
  const strict = new InferenceService({ executionProvider: 'cpu', defaultModelDir: run.clip.dir, maxImagePixels: 1599 });
  try {
    await rejectsLens(strict.analyze({ images: [path], texts: ['grey'] }), { kind: 'badInput', what: [/forty\.png: 40x40 is 1600 pixels, over the limit of 1599 pixels/] });
  } finally {
    await strict.dispose();
  }
  const raised = await run.service.analyze({ images: [path], texts: ['grey'] });
  assert.equal(raised.images.length, 1);
});

test('a path through a file, a FIFO and a device file are refused at once, never read', async () => {
  const file = join(run.work, 'plain.png');
  writeFileSync(file, 'x');
  await rejectsLens(preprocessImage(join(file, 'inner.png'), identityConfig()), { kind: 'badInput', what: [/Image not found: .*plain\.png\/inner\.png/] });
  // Reading a FIFO with no writer would block forever, and /dev/zero never ends: neither is a regular file.
  const fifo = join(run.work, 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  await rejectsLens(preprocessImage(fifo, identityConfig()), { kind: 'badInput', what: [/pipe\.png is not a regular file/] });
  await rejectsLens(preprocessImage('/dev/zero', identityConfig()), { kind: 'badInput', what: [/\/dev\/zero is not a regular file/] });
});

test('an animated GIF: the result notices say that frame 0 of N was used', async () => {
  const frame = (colour: string) => sharp({ create: { width: 8, height: 8, channels: 3, background: colour } }).png().toBuffer();
  const gif = join(run.work, 'anim.gif');
  await sharp([await frame('#ff0000'), await frame('#00ff00'), await frame('#0000ff')], { join: { animated: true } }).gif().toFile(gif);
  const result = await run.service.analyze({ images: [gif], texts: ['a red square'] });
  assert.ok(result.model.notices.some((n) => n.includes('anim.gif') && /3 frames; the first frame was used/.test(n)), result.model.notices.join(' | '));
});

// test/unit/inference/preprocessErrors.test.ts skips its chmod 000 case as root (root reads anything); run as
// root, this drops to the unprivileged uid 65534 with setpriv for that one check.
/** Why the uid-65534 check cannot run here, or false when it can. */
function unprivilegedSkip(): string | false {
  if (process.getuid?.() !== 0) return 'not root: preprocessErrors.test.ts covers it';
  if (!existsSync('/usr/bin/setpriv')) return 'no setpriv';
  // A clone inside a folder only root may enter (mode 700): uid 65534 cannot load the code it would test.
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(__filename)})`]);
  return probe.status === 0 ? false : `uid 65534 cannot read the repository at ${process.cwd()} (a parent folder is closed to others)`;
}
test('an unreadable file says permission denied, checked as uid 65534 when the suite runs as root', { skip: unprivilegedSkip() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-perm-'));
  try {
    chmodSync(dir, 0o777);
    const locked = join(dir, 'locked.png');
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toFile(locked);
    chmodSync(locked, 0o000);
    const script = `require('./src/inference/images/preprocess').preprocessImage(${JSON.stringify(locked)}, require('./test/unit/inference/imageFixtures').identityConfig())
      .then(() => console.log('read'), (e) => console.log(JSON.stringify({ name: e.name, kind: e.kind, message: e.message, fix: e.fix })))`;
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, HOME: dir, TMPDIR: dir } });
    const error = JSON.parse(out.trim().split('\n').pop()!) as { name: string; kind: string; message: string; fix: string };
    assert.deepEqual([error.name, error.kind], ['LensError', 'badInput']);
    assert.match(error.message, /locked\.png: permission denied/);
    assert.match(error.fix, /chmod u\+r/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an extreme aspect ratio costs only its crop, and without a crop must not get past the pixel limit by the resize', async () => {
  // The arithmetic at a small scale: 1000x1 (1000 pixels, under the limit) resizes to 32000x32 (1 megapixel).
  const line = await sharp({ create: { width: 1000, height: 1, channels: 3, background: '#ffffff' } }).png().toBuffer();
  // With the centre crop only the 32x32 window of the resize is computed: every pixel is the white of the line.
  const cfg = parsePreprocessorConfig({ size: 32, crop_size: 32 });
  const cropped = await preprocessImage(line, cfg, { maxPixels: 10_000 });
  // HF's rescale and normalise of 255 in float32: (1 - mean) / std.
  const expected = [0, 1, 2].map((c) => Math.fround(Math.fround(1 - Math.fround(cfg.mean[c])) / Math.fround(cfg.std[c])));
  assert.deepEqual(cropped.outputSize, { width: 32, height: 32 });
  for (let c = 0; c < 3; c++) assert.ok(cropped.pixels.subarray(c * 1024, (c + 1) * 1024).every((v) => v === expected[c]), `channel ${c}`);
  // Without it the whole 32000x32 resize would be the tensor: refused, saying both sizes.
  const uncropped = parsePreprocessorConfig({ size: 32, do_center_crop: false });
  await rejectsLens(preprocessImage(line, uncropped, { maxPixels: 10_000 }), { kind: 'badInput', what: [/1000x1 would be resized to 32000x32/, /limit/] });
});
