/**
 * The maps lie on the part of the image the model's input covers (ImageInfo.region), not always on its centre
 * square. A processor that resizes without cropping (SigLIP, BLIP) squeezes the whole 640 x 480 image into the patch
 * grid, so the view must show all of it, its left and right strips included, which a centre square would cut away;
 * a crop larger than the image pads it, so the image sits inside the view with bands either side. Each place is
 * worked out here by hand and read back from the pixels shown, the element boxes and the exported figure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import type { ReportData } from '../../src/shared/reportData';
import { pngPixel, readSvg } from './figureReadback';
import { GREY, OVERLAY_PX, reportFixture } from './reportFixture';
import { closeColour, launchChromium, openReport, shownPixel, type Rgb } from './reportPage';

const RED: Rgb = [220, 20, 20];
const BLUE: Rgb = [20, 20, 220];
const GREY_RGB: Rgb = [GREY, GREY, GREY];

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A PNG `width` x `height`: red in its left eighth, blue in its right eighth, grey between. */
async function stripedPng(width: number, height: number): Promise<string> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(x < width / 8 ? RED : x >= (width * 7) / 8 ? BLUE : GREY_RGB, (y * width + x) * 3);
  }
  const png = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The fixture on an image of `width` x `height` (its preview a tenth of that) whose model input covers `region`. */
async function fixture(width: number, height: number, region: [number, number, number, number], boxes?: [number, number, number, number][]): Promise<ReportData> {
  const data = await reportFixture();
  return {
    ...data,
    result: { ...data.result, images: [{ path: 'samples/striped.png', width, height, region }] },
    images: [await stripedPng(width / 10, height / 10)],
    ...(boxes && { boxes: [boxes] }),
  };
}

test('a squeezed input shows the whole image under its maps, on the page and in the exported figure', async () => {
  const { page, problems } = await openReport(browser, await fixture(640, 480, [0, 0, 640, 480]), true);
  await page.getByLabel('Opacity').fill('0');
  const shown = page.locator('.overlay-map');
  // The left eighth of the image is the overlay's first 48 pixels; a centre square would start 80 image pixels in, past it.
  assert.ok(closeColour(await shownPixel(shown, 20, OVERLAY_PX / 2), RED, 6), 'the red left strip');
  assert.ok(closeColour(await shownPixel(shown, OVERLAY_PX - 20, OVERLAY_PX / 2), BLUE, 6), 'the blue right strip');
  assert.ok(closeColour(await shownPixel(shown, OVERLAY_PX / 2, OVERLAY_PX / 2), GREY_RGB, 6), 'grey between');
  const count = await page.evaluate(() => (window as unknown as { posted: unknown[] }).posted.length);
  await page.getByRole('button', { name: 'Export SVG: striped.png with its overlay' }).click();
  await page.waitForFunction((n) => (window as unknown as { posted: unknown[] }).posted.length > n, count);
  const svg = await page.evaluate((n) => (window as unknown as { posted: { content: string }[] }).posted[n].content, count);
  const image = (await readSvg(page, svg, 'image', 'image.overlay-image')).box!;
  assert.equal(image.width, OVERLAY_PX);
  const href = /class="overlay-image"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="overlay-image"/.exec(svg)!;
  const raster = href[1] ?? href[2];
  // The figure's image raster is the overlay's canvas size (its side here, at device scale 1).
  assert.ok(closeColour((await pngPixel(page, raster, 20, OVERLAY_PX / 2)).rgba.slice(0, 3) as Rgb, RED, 6), 'the exported image keeps the red strip');
  assert.ok(closeColour((await pngPixel(page, raster, OVERLAY_PX - 20, OVERLAY_PX / 2)).rgba.slice(0, 3) as Rgb, BLUE, 6), 'and the blue one');
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

test('a padding crop shows the image inside the view, and the enlarged head lays it the same way', async () => {
  // A 320 x 480 image in a 480 x 480 crop: 80 pixels of padding either side, the window [-0.25, 0, 1.25, 1].
  const { page } = await openReport(browser, await fixture(320, 480, [-80, 0, 400, 480], [[0, 0, 160, 240]]), true);
  const frame = (await page.locator('.image-card .overlay').boundingBox())!;
  const image = (await page.locator('.image-card .overlay-image').boundingBox())!;
  const border = 1;
  assert.deepEqual([image.x - frame.x - border, image.width, image.height], [OVERLAY_PX / 6, (OVERLAY_PX * 2) / 3, OVERLAY_PX]);
  // The box's left edge at the image's own left edge, 64 pixels in; its right edge at 160 of 480 crop pixels: 192.
  const light = (await page.locator('.overlay-boxes rect:nth-of-type(2)').boundingBox())!;
  // (Its 2-pixel line reaches one pixel past the box on either side.)
  assert.deepEqual([light.x - frame.x - border, light.width], [OVERLAY_PX / 6 - 1, OVERLAY_PX / 3 + 2]);
  await page.locator('.head-thumb').first().click();
  const stage = (await page.locator('.head-large').boundingBox())!;
  const under = (await page.locator('.head-large-image').boundingBox())!;
  // Inside its border the stage is 256 pixels: the image from a sixth of that, two thirds wide (to layout's 1/64 pixel).
  const inner = stage.width - 2 * border;
  const [left, width] = [under.x - stage.x - border, under.width];
  assert.ok(Math.abs(left - inner / 6) < 0.05 && Math.abs(width - (inner * 2) / 3) < 0.05, `${left}, ${width} in ${inner}`);
  await page.close();
});
