/**
 * The generation report of a real generation (the tiny LLaVA fixture through the service, with occlusion), in
 * headless Chromium: every token is a button in the answer, the chosen one's map is drawn over the image with the
 * colour scale the control names (shared by the answer: each token's hottest cell in the colour of its value on the
 * answer's range; per token: each token's own hottest cell in the top colour), the arrow keys move between tokens, and the
 * occlusion map and the per-layer image share are shown with what they measure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { InferenceService } from '../../src/inference/service';
import type { GenerationReportData } from '../../src/shared/generationResult';
import { overlayScale, viridisScale } from '../../webview/draw/colorScale';
import { canvasAlphas, canvasPixels, closeColour, launchChromium, openReport } from './reportPage';

const dir = join(__dirname, '../fixtures/tiny-llava');
const image = join(dir, 'edges_51x37.png');
let browser: Browser;
let data: GenerationReportData;
before(async () => {
  browser = await launchChromium();
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  try {
    const result = await service.generate({ images: [image], prompt: 'Describe the image.', maxNewTokens: 4, perturbation: { method: 'occlusion' } });
    data = { result, images: [`data:image/png;base64,${readFileSync(image).toString('base64')}`] };
  } finally {
    await service.dispose();
  }
});
after(async () => {
  await browser?.close();
});

const top = viridisScale(0, 1).lut.slice(-3) as unknown as [number, number, number];
/** Regions are filled rectangles: their centres are exactly their colour. */
const TOLERANCE = 1;
/** The canvas pixel at the centre of image token `index`'s region: the 51 x 37 image is shown 320 pixels wide. */
const centre = (index: number): [number, number] => {
  const [x0, y0, x1, y1] = data.result.images[0].regions[index];
  return [Math.floor(((x0 + x1) / 2) * 320 / 51), Math.floor(((y0 + y1) / 2) * 320 / 51)];
};
const argmax = (values: number[]) => values.indexOf(Math.max(...values));

test('every token opens its map; the shared scale dims tokens that look at the image less than the answer\'s most', async () => {
  const { page, problems } = await openReport(browser, data);
  const tokens = page.locator('.answer .token');
  assert.deepEqual(await tokens.allTextContents(), data.result.generated.map((t) => t.text));
  assert.match((await page.locator('.prompt-text').textContent()) ?? '', /^USER: <image> × 36\nDescribe the image\. ASSISTANT:$/);
  const maps = data.result.generated.map((t) => t.map[0]);
  const all = maps.flat();
  const shared = viridisScale(Math.min(...all), Math.max(...all));
  for (const [k, map] of maps.entries()) {
    await tokens.nth(k).click();
    assert.equal(await tokens.nth(k).getAttribute('aria-pressed'), 'true');
    const [colour] = await canvasPixels(page.locator('.token-detail .overlay-map'), [centre(argmax(map))]);
    const index = shared.step(Math.max(...map)) * 3;
    const expected = [shared.lut[index], shared.lut[index + 1], shared.lut[index + 2]] as [number, number, number];
    assert.ok(closeColour(colour, expected, TOLERANCE), `token ${k}: its hottest cell is ${colour}, on the answer's scale ${expected}`);
  }
  await page.getByLabel('Colour scale', { exact: true }).selectOption('token');
  for (const [k, map] of maps.entries()) {
    await tokens.nth(k).click();
    const [colour] = await canvasPixels(page.locator('.token-detail .overlay-map'), [centre(argmax(map))]);
    assert.ok(closeColour(colour, top, TOLERANCE), `token ${k} on its own scale: ${colour}`);
  }
  assert.deepEqual([problems.console, problems.pageErrors, problems.dialogs, await problems.violations()], [[], [], [], []]);
});

test('the arrow keys walk the answer, and the occlusion map and image shares say what they measure', async () => {
  const { page } = await openReport(browser, data);
  const tokens = page.locator('.answer .token');
  await tokens.first().focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await tokens.nth(1).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), data.result.generated[1].text);
  const shares = data.result.generated[1].imageShare.map((v) => `${(v * 100).toFixed(1)}%`);
  assert.match((await page.locator('.token-detail .bar-chart svg').getAttribute('aria-label')) ?? '', new RegExp(`layer 0 ${shares[0]}, layer 1 ${shares[1]}`));
  await page.getByLabel('Map', { exact: true }).selectOption('perturbation');
  assert.match((await page.locator('.token-detail .legend-bar').getAttribute('aria-label')) ?? '', /drop in log-probability when the patch is hidden/);
  const occlusion = data.result.generated[1].perturbationMap![0];
  await page.getByLabel('Colour scale', { exact: true }).selectOption('token');
  const [colour] = await canvasPixels(page.locator('.token-detail .overlay-map'), [centre(argmax(occlusion))]);
  assert.ok(closeColour(colour, top, TOLERANCE), `the occlusion map's largest drop is drawn in the top colour: ${colour}`);
});

test('a split image is painted tile by tile, and the whole-image tile on request', async () => {
  const idefics = join(__dirname, '../fixtures/tiny-idefics3');
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: idefics });
  let tiled: GenerationReportData;
  try {
    const result = await service.generate({ images: [join(idefics, 'edges_51x37.png')], prompt: 'Describe the image.', maxNewTokens: 1 });
    tiled = { result, images: [`data:image/png;base64,${readFileSync(join(idefics, 'edges_51x37.png')).toString('base64')}`] };
  } finally {
    await service.dispose();
  }
  const { page, problems } = await openReport(browser, tiled);
  await page.getByLabel('Colour scale', { exact: true }).selectOption('token');
  const [token] = tiled.result.generated;
  const [tokens] = tiled.result.images;
  const at = (index: number): [number, number] => {
    const [x0, y0, x1, y1] = tokens.regions[index];
    return [Math.floor(((x0 + x1) / 2) * 320 / 51), Math.floor(((y0 + y1) / 2) * 320 / 51)];
  };
  // Each token's colour and alpha on the tile's own scale, which fades in over its lower half as every overlay does.
  const paint = (values: number[], value: number) => {
    const scale = overlayScale(viridisScale(Math.min(...values), Math.max(...values)));
    const i = scale.step(value) * 3;
    return { rgb: [scale.lut[i], scale.lut[i + 1], scale.lut[i + 2]] as [number, number, number], alpha: scale.alpha(value) };
  };
  const canvas = page.locator('.token-detail .overlay-map');
  /** Checks the pixel at image token `index` against the paint of `value` among `values`. */
  const check = async (index: number, values: number[], value: number, what: string) => {
    const [[colour], [alpha]] = [await canvasPixels(canvas, [at(index)]), await canvasAlphas(canvas, [at(index)])];
    const want = paint(values, value);
    assert.ok(Math.abs(alpha - want.alpha) <= 1, `${what}: alpha ${alpha}, expected ${want.alpha}`);
    // A canvas keeps colours premultiplied by alpha: nearly transparent ones come back rounded.
    if (alpha >= 64) assert.ok(closeColour(colour, want.rgb, TOLERANCE), `${what}: ${colour}, expected ${want.rgb}`);
  };
  // The token of each tile that stands highest on its own scale, so its colour is opaque and can be read.
  const highest = (values: number[]) => values.indexOf(Math.max(...values));
  const local = token.map[0].slice(0, 16);
  await check(highest(local), local, local[highest(local)], "tile 0's strongest token");
  await check(0, local, local[0], "tile 0's first token");
  await page.getByLabel('Image tokens', { exact: true }).selectOption('global');
  const whole = token.map[0].slice(16);
  await check(16 + highest(whole), whole, whole[highest(whole)], "the global tile's strongest token");
  assert.deepEqual([problems.console, problems.pageErrors], [[], []]);
});
