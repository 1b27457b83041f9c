/**
 * The attention flow map (maps.flow, `mmlens analyze --flow`) as an overlay choice beside the rollout in the built
 * report: offered only when the result has it, and drawn with its own hot cell.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { GRID, cellCentre, reportFixture } from './reportFixture';
import { closeColour, launchChromium, openReport, shownPixel, type Rgb } from './reportPage';

const VIRIDIS_MAX: Rgb = [253, 231, 37];
const FLOW_HOT = { row: 2, col: 1 };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('a result with maps.flow offers "Attention flow" after the rollout and draws it; one without does not offer it', async () => {
  const data = await reportFixture();
  const flow = Array.from({ length: GRID.rows }, (_, r) => Array.from({ length: GRID.cols }, (_, c) => (r === FLOW_HOT.row && c === FLOW_HOT.col ? 1 : 0.25)));
  const { page, problems } = await openReport(browser, { ...data, result: { ...data.result, maps: { ...data.result.maps, flow: [flow] } } });
  const options = await page.locator('.image-card select').first().locator('option').allTextContents();
  assert.deepEqual(options.slice(0, 3), ['None', 'Attention rollout', 'Attention flow (max-flow)']);
  await page.getByLabel('Overlay').selectOption('flow');
  await page.getByLabel('Opacity').focus();
  await page.keyboard.press('End');
  assert.ok(closeColour(await shownPixel(page.locator('.overlay-map'), ...cellCentre(FLOW_HOT)), VIRIDIS_MAX, 2), 'flow hot cell');
  assert.deepEqual([problems.console, problems.pageErrors], [[], []]);
  await page.close();
  const plain = await openReport(browser, data);
  assert.ok(!(await plain.page.locator('.image-card select').first().locator('option').allTextContents()).includes('Attention flow (max-flow)'));
  await plain.page.close();
});
