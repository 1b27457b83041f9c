// preprocessImage against pixel values worked out by hand on tiny images made here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { centerCropPlacement, resizeOutputSize } from '../../../src/inference/images/imageGeometry';
import type { ResampleFilter } from '../../../src/inference/model/preprocessorConfig';
import { chwPixel, identityConfig, rawPng, rgbBytes } from './imageFixtures';

test('resizeOutputSize follows HF: short side = size, long side = int(size * long / short)', () => {
  assert.deepEqual(resizeOutputSize(640, 480, 224), { height: 224, width: 298 }); // 224*640/480 = 298.67
  assert.deepEqual(resizeOutputSize(480, 640, 224), { height: 298, width: 224 });
  assert.deepEqual(resizeOutputSize(300, 300, 224), { height: 224, width: 224 });
  assert.deepEqual(resizeOutputSize(224, 500, 224), { height: 500, width: 224 }); // short side already right
  assert.deepEqual(resizeOutputSize(3, 7, 2), { height: 4, width: 2 }); // 2*7/3 = 4.67
  assert.deepEqual(resizeOutputSize(640, 480, { height: 10, width: 20 }), { height: 10, width: 20 });
});

test('centerCropPlacement uses floor division offsets; the crop outside the image is padding', () => {
  // 3 wide, crop width 5 -> left = (3 - 5) // 2 = -1: one black pixel, the 3 image pixels at x = 1, one black.
  assert.deepEqual(centerCropPlacement(3, 1, { height: 1, width: 5 }), { window: { left: 0, top: 0, width: 3, height: 1 }, x: 1, y: 0 });
  // crop width 2 -> left = (3 - 2) // 2 = 0
  assert.deepEqual(centerCropPlacement(3, 1, { height: 1, width: 2 }), { window: { left: 0, top: 0, width: 2, height: 1 }, x: 0, y: 0 });
  // crop width 6 -> left = (3 - 6) // 2 = -2 (floor, as Python's //): two black pixels before, one after.
  assert.deepEqual(centerCropPlacement(3, 1, { height: 1, width: 6 }), { window: { left: 0, top: 0, width: 3, height: 1 }, x: 2, y: 0 });
  // 1x3 column, crop height 2 -> top = (3 - 2) // 2 = 0: rows 0 and 1.
  assert.deepEqual(centerCropPlacement(1, 3, { height: 2, width: 1 }), { window: { left: 0, top: 0, width: 1, height: 2 }, x: 0, y: 0 });
  // 224 x 10752000 (a 1 x 48000 image at shortest edge 224), crop 224: top = (10752000 - 224) // 2.
  assert.deepEqual(centerCropPlacement(224, 10_752_000, { height: 224, width: 224 }), { window: { left: 0, top: 5_375_888, width: 224, height: 224 }, x: 0, y: 0 });
});

test('a 4x4 quadrant image with no resize gives exact normalised values per pixel', async () => {
  const colours: Record<string, [number, number, number]> = { tl: [255, 0, 0], tr: [0, 255, 0], bl: [0, 0, 255], br: [10, 20, 30] };
  const quadrant = (x: number, y: number) => colours[(y < 2 ? 't' : 'b') + (x < 2 ? 'l' : 'r')];
  const png = await rawPng(4, 4, 3, rgbBytes(4, 4, quadrant));
  const mean = [0.5, 0.4, 0.3];
  const std = [0.2, 0.25, 0.5];
  // size 4 equals the short side, so HF does not resize; the 4x4 crop takes everything.
  const cfg = identityConfig({ resize: true, shortestEdge: 4, centerCrop: true, cropSize: { height: 4, width: 4 }, rescale: true, normalize: true, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.5] });
  const out = await preprocessImage(png, cfg);
  assert.equal(out.pixels.length, 3 * 4 * 4);
  assert.deepEqual(out.outputSize, { height: 4, width: 4 });
  assert.deepEqual([out.width, out.height, out.format], [4, 4, 'png']);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const expected = quadrant(x, y).map((v, c) => (v / 255 - mean[c]) / std[c]);
      chwPixel(out.pixels, 4, 4, x, y).forEach((v, c) => assert.ok(Math.abs(v - expected[c]) < 1e-6, `(${x},${y}) c${c}: ${v} vs ${expected[c]}`));
    }
  }
  // Spot values by hand: red's R = (1 - 0.5) / 0.2 = 2.5; its G = (0 - 0.4) / 0.25 = -1.6.
  assert.ok(Math.abs(out.pixels[0] - 2.5) < 1e-6);
  assert.ok(Math.abs(out.pixels[16] + 1.6) < 1e-6);
});

test('nearest resize of 2x2 blocks to shortest edge 2, then centre crop', async () => {
  // 4 wide x 8 high, each 2x2 block one colour: block (bx, by) = [bx*100, by*50, 7].
  const block = (x: number, y: number): [number, number, number] => [(x >> 1) * 100, (y >> 1) * 50, 7];
  const png = await rawPng(4, 8, 3, rgbBytes(4, 8, block));
  const cfg = identityConfig({ resize: true, shortestEdge: 2, resample: 'nearest', centerCrop: true, cropSize: { height: 2, width: 2 } });
  const out = await preprocessImage(png, cfg);
  // Resized to 2x4 (one pixel per block); crop top = (4 - 2) // 2 = 1, so block rows 1 and 2 remain.
  assert.deepEqual(out.outputSize, { height: 2, width: 2 });
  assert.deepEqual(chwPixel(out.pixels, 2, 2, 0, 0), [0, 50, 7]);
  assert.deepEqual(chwPixel(out.pixels, 2, 2, 1, 0), [100, 50, 7]);
  assert.deepEqual(chwPixel(out.pixels, 2, 2, 0, 1), [0, 100, 7]);
  assert.deepEqual(chwPixel(out.pixels, 2, 2, 1, 1), [100, 100, 7]);
});

test('a uniform colour stays exactly that colour at any resize and with every filter', async () => {
  const colour: [number, number, number] = [37, 201, 255];
  for (const [w, h, size] of [[37, 23, 8], [3, 5, 16]]) {
    const png = await rawPng(w, h, 3, rgbBytes(w, h, () => colour));
    for (const resample of ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'] as ResampleFilter[]) {
      const out = await preprocessImage(png, identityConfig({ resize: true, shortestEdge: size, resample }));
      const expected = resizeOutputSize(w, h, size);
      assert.deepEqual(out.outputSize, expected);
      const plane = expected.width * expected.height;
      for (let i = 0; i < out.pixels.length; i++) assert.equal(out.pixels[i], colour[Math.floor(i / plane)], `${resample} ${w}x${h} at ${i}`);
    }
  }
});

test('alpha is dropped, not composited: a fully transparent pixel keeps its RGB', async () => {
  const png = await rawPng(2, 1, 4, [10, 20, 30, 0, 200, 100, 50, 128]);
  const out = await preprocessImage(png, identityConfig());
  assert.deepEqual(chwPixel(out.pixels, 2, 1, 0, 0), [10, 20, 30]);
  assert.deepEqual(chwPixel(out.pixels, 2, 1, 1, 0), [200, 100, 50]);
});

test('grey, grey+alpha, 16-bit grey and palette images become replicated / expanded RGB', async () => {
  const grey = await preprocessImage(await rawPng(2, 1, 1, [77, 200]), identityConfig());
  assert.deepEqual([...grey.pixels], [77, 200, 77, 200, 77, 200]);
  const greyAlpha = await preprocessImage(await rawPng(2, 1, 2, [77, 0, 99, 255]), identityConfig());
  assert.deepEqual([...greyAlpha.pixels], [77, 99, 77, 99, 77, 99]);
  // 8-bit v stored as 16-bit v * 257 comes back as v.
  const grey16 = await sharp(Buffer.from([10, 255]), { raw: { width: 2, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer();
  assert.equal((await sharp(grey16).metadata()).depth, 'ushort');
  assert.deepEqual([...(await preprocessImage(grey16, identityConfig())).pixels], [10, 255, 10, 255, 10, 255]);
  const palette = await sharp(Buffer.from([10, 200, 77, 1, 2, 3]), { raw: { width: 2, height: 1, channels: 3 } }).png({ palette: true, dither: 0 }).toBuffer();
  assert.equal((await sharp(palette).metadata()).isPalette, true);
  assert.deepEqual([...(await preprocessImage(palette, identityConfig())).pixels], [10, 1, 200, 2, 77, 3]);
});

test('centre crop offsets on a gradient, and black padding when the crop is larger', async () => {
  // 7 wide x 5 high, R = 30x, G = 40y.
  const png = await rawPng(7, 5, 3, rgbBytes(7, 5, (x, y) => [30 * x, 40 * y, 0]));
  const inner = await preprocessImage(png, identityConfig({ centerCrop: true, cropSize: { height: 3, width: 4 } }));
  // top = (5 - 3) // 2 = 1, left = (7 - 4) // 2 = 1
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) assert.deepEqual(chwPixel(inner.pixels, 4, 3, x, y), [30 * (x + 1), 40 * (y + 1), 0]);
  assert.deepEqual(inner.notes, []);
  const odd = await preprocessImage(png, identityConfig({ centerCrop: true, cropSize: { height: 2, width: 2 } }));
  // top = (5 - 2) // 2 = 1, left = (7 - 2) // 2 = 2
  assert.deepEqual([0, 1].flatMap((y) => [0, 1].map((x) => chwPixel(odd.pixels, 2, 2, x, y))), [[60, 40, 0], [90, 40, 0], [60, 80, 0], [90, 80, 0]]);

  const outer = await preprocessImage(png, identityConfig({ centerCrop: true, cropSize: { height: 7, width: 4 } }));
  // top = (5 - 7) // 2 = -1: row 0 and row 6 are padding; left = 1.
  for (let y = 0; y < 7; y++) {
    for (let x = 0; x < 4; x++) {
      const expected = y === 0 || y === 6 ? [0, 0, 0] : [30 * (x + 1), 40 * (y - 1), 0];
      assert.deepEqual(chwPixel(outer.pixels, 4, 7, x, y), expected, `(${x},${y})`);
    }
  }
  assert.match(outer.notes.join(' '), /padded with black/);
});

test('an animated GIF uses frame 0 and says so', async () => {
  const frame = (colour: string) => sharp({ create: { width: 3, height: 2, channels: 3, background: colour } }).png().toBuffer();
  const gif = await sharp([await frame('#ff0000'), await frame('#00ff00')], { join: { animated: true } }).gif().toBuffer();
  const out = await preprocessImage(gif, identityConfig());
  assert.equal(out.format, 'gif');
  assert.deepEqual(chwPixel(out.pixels, 3, 2, 2, 1), [255, 0, 0]);
  assert.match(out.notes.join(' '), /2 frames; the first frame was used/);
});

test('EXIF orientation is not applied (the reference processor does not rotate)', async () => {
  // 8 wide x 4 high, left half black, right half white, tagged "rotate 90".
  const jpeg = await sharp(Buffer.from(rgbBytes(8, 4, (x) => (x < 4 ? [0, 0, 0] : [255, 255, 255]))), { raw: { width: 8, height: 4, channels: 3 } })
    .jpeg({ quality: 100 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  assert.equal((await sharp(jpeg).metadata()).orientation, 6);
  const out = await preprocessImage(jpeg, identityConfig());
  assert.deepEqual([out.width, out.height, out.outputSize.width, out.outputSize.height], [8, 4, 8, 4]);
  assert.ok(chwPixel(out.pixels, 8, 4, 0, 0)[0] < 30 && chwPixel(out.pixels, 8, 4, 7, 0)[0] > 225);
});

test('a CMYK JPEG decodes to three channels', async () => {
  const cmyk = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).toColourspace('cmyk').jpeg().toBuffer();
  assert.equal((await sharp(cmyk).metadata()).channels, 4);
  const out = await preprocessImage(cmyk, identityConfig());
  assert.equal(out.pixels.length, 3 * 16);
});

test('the region the input covers: the crop window through the resize, the whole image without a crop, past the edges where the crop pads', async () => {
  const png = await rawPng(640, 480, 3, rgbBytes(640, 480, () => [90, 90, 90]));
  // CLIP: 640 x 480 -> 298 x 224 (224 x 640 / 480 = 298.67, truncated); crop 224 from left (298 - 224) // 2 = 37, so
  // x from 37 to 261 resized pixels, each 640 / 298 original ones; y from 0 to 224 of 480 / 224.
  const clip = await preprocessImage(png, identityConfig({ resize: true, shortestEdge: 224, centerCrop: true, cropSize: { height: 224, width: 224 } }));
  const [x0, y0, x1, y1] = clip.region!;
  assert.ok(Math.abs(x0 - (37 * 640) / 298) < 1e-9 && Math.abs(x1 - (261 * 640) / 298) < 1e-9, `${x0}, ${x1}`);
  assert.deepEqual([y0, y1], [0, 480]);
  // SigLIP: resized to 224 x 224 with no crop, the whole image squeezed.
  const siglip = await preprocessImage(png, identityConfig({ resize: true, shortestEdge: { height: 224, width: 224 }, centerCrop: false }));
  assert.deepEqual(siglip.region, [0, 0, 640, 480]);
  // No resize, a 700 x 500 crop of the 640 x 480 image: left = (640 - 700) // 2 = -30, top = (480 - 500) // 2 = -10.
  const padded = await preprocessImage(png, identityConfig({ resize: false, centerCrop: true, cropSize: { height: 500, width: 700 } }));
  assert.deepEqual(padded.region, [-30, -10, 670, 490]);
});
