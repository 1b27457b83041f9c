/**
 * The layer lens (result.lens, `mmlens analyze --lens`) in the built report: a table per image with a row per
 * layer, each cell that layer's probability printed as the data says, and each layer's alignment maps as overlay
 * choices drawn with their own hot cell; a result without a lens shows neither.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { GRID, cellCentre, reportFixture } from './reportFixture';
import { closeColour, launchChromium, openReport, shownPixel, type Rgb } from './reportPage';

const VIRIDIS_MAX: Rgb = [253, 231, 37];
/** Layer 1's map for text 0 is hot here; every other lens map is flat. */
const LENS_HOT = { row: 3, col: 0 };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const flat = () => Array.from({ length: GRID.rows }, () => Array<number>(GRID.cols).fill(0.5));
const hot = () => Array.from({ length: GRID.rows }, (_, r) => Array.from({ length: GRID.cols }, (_, c) => (r === LENS_HOT.row && c === LENS_HOT.col ? 1 : 0.25)));

test('the layer lens: a row per layer with its probabilities, and each layer\'s maps as overlays', async () => {
  const data = await reportFixture();
  const lens = {
    layers: [
      { similarity: [[0.01, 0.03]], probabilities: [[0.375, 0.625]], alignment: [[flat(), flat()]] },
      { similarity: [[0.25, -0.125]], probabilities: [[0.875, 0.125]], alignment: [[hot(), flat()]] },
    ],
  };
  const { page, problems } = await openReport(browser, { ...data, result: { ...data.result, lens } });
  const table = page.locator('.layer-lens table');
  assert.deepEqual(await table.locator('tbody th').allTextContents(), ['layer 0', 'layer 1']);
  assert.deepEqual(await table.locator('tbody td').allTextContents(), ['37.5%', '62.5%', '87.5%', '12.5%']);
  const options = await page.locator('.image-card select').first().locator('option').allTextContents();
  const texts = data.result.texts.map((t) => t.text);
  for (const [l, t] of [[0, 0], [0, 1], [1, 0], [1, 1]]) assert.ok(options.includes(`Layer ${l} lens: alignment with "${texts[t]}"`), `layer ${l} text ${t}`);
  await page.getByLabel('Overlay').selectOption('lens-1-0');
  await page.getByLabel('Opacity').focus();
  await page.keyboard.press('End');
  assert.ok(closeColour(await shownPixel(page.locator('.overlay-map'), ...cellCentre(LENS_HOT)), VIRIDIS_MAX, 2), 'layer 1 lens hot cell');
  assert.deepEqual([problems.console, problems.pageErrors], [[], []]);
  await page.close();
  const plain = await openReport(browser, data);
  assert.equal(await plain.page.locator('.layer-lens').count(), 0);
  assert.ok(!(await plain.page.locator('.image-card select').first().locator('option').allTextContents()).some((o) => o.startsWith('Layer ')));
  await plain.page.close();
});
