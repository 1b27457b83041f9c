/**
 * A map evaluation's worst case opens with its boxes outlined on the image (ReportData.boxes), in the analysis
 * panel in headless Chromium. The image is 640 x 480, so the overlay shows its centre 480 x 480 square: each box's
 * place on the 384-pixel overlay is worked out here by hand from that crop, and read back from the pixels shown,
 * from the exported SVG and from the exported JSON.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { Box } from '../../src/shared/mapEvaluation';
import type { ReportData } from '../../src/shared/reportData';
import { readSvg } from './figureReadback';
import { GREY, OVERLAY_PX, reportFixture } from './reportFixture';
import { closeColour, launchChromium, openReport, shownPixel, type PageProblems, type Rgb } from './reportPage';

const [WIDTH, HEIGHT] = [640, 480];
/** Inside the centre square; one reaching past its left edge; one wholly right of it (x from 560 on is cut away). */
const BOXES: Box[] = [[160, 120, 320, 240], [0, 0, 100, 60], [600, 10, 640, 50]];
/** The centre square starts 80 pixels in and is 480 wide, drawn at 384: 0.8 overlay pixels per image pixel. */
const SCALE = OVERLAY_PX / 480;
const onOverlay = ([x0, y0, x1, y1]: Box) => [(x0 - 80) * SCALE, y0 * SCALE, (x1 - 80) * SCALE, y1 * SCALE].map((v) => Math.max(0, Math.min(OVERLAY_PX, v)));
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GREY_RGB: Rgb = [GREY, GREY, GREY];

let browser: Browser;
let page: Page;
let problems: PageProblems;

/** The report fixture on a 640 x 480 image (its preview 64 x 48), with BOXES for that image. */
async function boxedFixture(): Promise<ReportData> {
  const data = await reportFixture();
  const preview = await sharp(Buffer.alloc(64 * 48 * 3, GREY), { raw: { width: 64, height: 48, channels: 3 } }).png().toBuffer();
  return {
    ...data,
    result: { ...data.result, images: [{ path: 'samples/wide.png', width: WIDTH, height: HEIGHT }] },
    images: [`data:image/png;base64,${preview.toString('base64')}`],
    boxes: [BOXES],
  };
}

before(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openReport(browser, await boxedFixture(), true));
  // The map out of the way: what shows is the image and the outlines.
  await page.getByLabel('Opacity').fill('0');
});
after(async () => {
  await browser?.close();
});

test('each box is outlined where the centre crop puts it, light on dark; the cut ones are said', async () => {
  const [left, top, right, bottom] = onOverlay(BOXES[0]);
  assert.deepEqual([left, top, right, bottom], [64, 96, 192, 192]);
  const shown = page.locator('.overlay-boxes');
  const at = (x: number, y: number) => shownPixel(shown, x, y);
  const middle = (top + bottom) / 2;
  // The light line is 2 pixels wide on the box's edge, the dark one 4.
  for (const [x, y] of [[left, middle], [right - 1, middle], [(left + right) / 2, top], [(left + right) / 2, bottom - 1]]) {
    assert.ok(closeColour(await at(x, y), WHITE, 8), `light line at ${x}, ${y}`);
  }
  assert.ok(closeColour(await at(left - 2, middle), BLACK, 8), 'dark line outside the light one');
  assert.ok(closeColour(await at(left + 1, middle), BLACK, 8), 'dark line inside the light one');
  assert.ok(closeColour(await at(left + 10, middle), GREY_RGB, 4), 'the image inside the box');
  // The second box, cut at the square's left edge, ends at (100 - 80) x 0.8 = 16 across and 48 down.
  const [, , cutRight, cutBottom] = onOverlay(BOXES[1]);
  assert.deepEqual([cutRight, cutBottom], [16, 48]);
  assert.ok(closeColour(await at(cutRight, cutBottom / 2), WHITE, 8), 'the cut box\'s right edge');
  assert.ok(closeColour(await at(cutRight + 10, cutBottom / 2), GREY_RGB, 4), 'nothing right of it');
  assert.equal(await page.locator('.overlay-boxes rect').count(), 4, 'two outlines (dark and light) for each of the two boxes in the square');
  assert.equal(await page.locator('.truth-boxes').textContent(),
    "Outlined: the manifest's 3 boxes for this case; one box reaches past the part of the image the model sees and is cut at its edge; one lies wholly outside it and is not drawn.");
  assert.deepEqual(problems.pageErrors, []);
});

test('the Boxes checkbox hides the outlines and shows them again, from the keyboard', async () => {
  const toggle = page.getByLabel('Boxes');
  const [left, top, , bottom] = onOverlay(BOXES[0]);
  const edge = () => shownPixel(page.locator('.overlay-boxes'), left, (top + bottom) / 2);
  await toggle.focus();
  await page.keyboard.press('Space');
  assert.equal(await toggle.isChecked(), false);
  assert.ok(closeColour(await edge(), GREY_RGB, 4), 'no outline when unticked');
  await page.keyboard.press('Space');
  assert.ok(closeColour(await edge(), WHITE, 8), 'outlined again');
});

/** Clicks export `button`, answers its message as saved, and returns the file's content. */
async function exported(button: string): Promise<string> {
  const count = await page.evaluate(() => (window as unknown as { posted: unknown[] }).posted.length);
  await page.getByRole('button', { name: button }).click();
  await page.waitForFunction((n) => (window as unknown as { posted: unknown[] }).posted.length > n, count);
  const message = await page.evaluate((n) => (window as unknown as { posted: Record<string, unknown>[] }).posted[n], count);
  await page.evaluate((requestId) => window.postMessage({ type: 'response', requestId, ok: true, body: { saved: '/tmp/x' } }, '*'), message.requestId as number);
  return message.content as string;
}

test('the exported figure holds the outlines at the same place over the image, and its JSON the boxes', async () => {
  const svg = await exported('Export SVG: wide.png with its overlay');
  const image = (await readSvg(page, svg, 'image', 'image.overlay-image')).box!;
  const light = (await readSvg(page, svg, 'image', '.overlay-boxes rect:nth-of-type(2)')).box!;
  const [left, top, right, bottom] = onOverlay(BOXES[0]);
  assert.deepEqual([light.x - image.x, light.y - image.y, light.width, light.height], [left, top, right - left, bottom - top]);
  const json = JSON.parse(await exported('Export JSON: wide.png with its overlay')) as { boxes?: Box[] };
  assert.deepEqual(json.boxes, BOXES);
});

test('a report without boxes draws no outlines and offers no Boxes checkbox', async () => {
  const plain = await openReport(browser, await reportFixture());
  assert.equal(await plain.page.locator('.overlay-boxes rect').count(), 0);
  assert.equal(await plain.page.getByLabel('Boxes').count(), 0);
  assert.equal(await plain.page.locator('.truth-boxes').count(), 0);
  await plain.page.close();
});
