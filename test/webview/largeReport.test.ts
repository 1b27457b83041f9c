/**
 * A report of a ViT-L/14@336-sized analysis (24 layers x 16 heads over 577 tokens) in headless Chromium, packed as
 * the product packs it by default at that size: the file stays small, the 384 thumbnails draw, each from its own
 * head's first-token row (checked at the patch each head was given), and a head enlarges; there is no query choice.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { packAttention } from '../../src/inference/tasks/packAttention';
import type { LayerAttention } from '../../src/inference/runtime/tappedGraph';
import { reportFixture } from './reportFixture';
import { canvasPixels, launchChromium, openReport, type Rgb } from './reportPage';

const [LAYERS, HEADS, SIDE] = [24, 16, 24];
const TOKENS = 1 + SIDE * SIDE;
const VIRIDIS_MAX: Rgb = [253, 231, 37];
/** The patch head h of layer l attends to from the CLS token: a different one for every head. */
const hot = (l: number, h: number) => (l * HEADS + h * 37) % (SIDE * SIDE);

/**
 * Each layer's first-token rows only (the rows a thumbnails report keeps; a tap that keeps one query row gives
 * the same layout): softmax-like rows with most of the mass on the CLS key and a peak at the head's patch.
 */
function firstTokenLayers(): LayerAttention[] {
  return Array.from({ length: LAYERS }, (_, l) => {
    const data = new Float32Array(HEADS * TOKENS);
    for (let h = 0; h < HEADS; h++) {
      const row = data.subarray(h * TOKENS, (h + 1) * TOKENS);
      row.fill(0.3 / (TOKENS - 2));
      row[0] = 0.6;
      row[1 + hot(l, h)] = 0.1;
    }
    return { heads: HEADS, queries: 1, keys: TOKENS, data };
  });
}

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('a ViT-L/14@336-sized report opens with every head drawn from its own row, and a head enlarges', async () => {
  const fixture = await reportFixture();
  const attention = packAttention('vision', firstTokenLayers(), 1, 1, { level: 'thumbnails' });
  assert.ok(attention);
  const data = { ...fixture, result: { ...fixture.result, grid: { rows: SIDE, cols: SIDE }, maps: { rollout: [], alignment: [] }, attention: undefined }, attention };
  const { page, problems, file } = await openReport(browser, data);
  assert.ok(statSync(file).size < 2 * 2 ** 20, `${statSync(file).size} bytes`);
  assert.equal(await page.locator('.head-thumb').count(), LAYERS * HEADS);
  for (const [l, h] of [[0, 0], [7, 5], [23, 15]]) {
    const patch = hot(l, h);
    const [hotPixel] = await canvasPixels(page.locator(`.head-thumb:has-text("L${l} H${h}") canvas`), [[patch % SIDE, Math.floor(patch / SIDE)]]);
    assert.deepEqual(hotPixel, VIRIDIS_MAX, `L${l} H${h} peaks at patch ${patch}`);
  }
  await page.locator('.head-thumb:has-text("L23 H15")').click();
  assert.equal(await page.locator('.head-detail h4').textContent(), 'L23 H15');
  assert.equal(await page.getByLabel('Query token (0 = first/CLS)').count(), 0);
  assert.deepEqual([problems.pageErrors, problems.console], [[], []]);
});
