/**
 * Colour scales that compare (issue 18 items 2 and 3), on the hand-made report with its second text's alignment
 * map halved: by default the texts of an image share one scale, so the weaker map's hot cell is drawn at half the
 * scale and the strongest at its top; on request each map gets its own range; a text that scores low says so on the
 * image; a softmax over one text is printed, not coloured; and a report opens on the overlay it names (item 4).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Matrix } from '../../src/shared/analysisResult';
import { viridisScale } from '../../webview/draw/colorScale';
import { ALIGNMENT_HOT, PROBABILITIES, cellCentre, reportFixture } from './reportFixture';
import { closeColour, launchChromium, openReport, shownPixel, type Rgb } from './reportPage';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const top = viridisScale(0, 1);
const colour = (v: number): Rgb => {
  const i = top.step(v) * 3;
  return [top.lut[i], top.lut[i + 1], top.lut[i + 2]];
};
const centre = cellCentre;

test('the texts of an image share one scale by default, each map its own on request, and a low-scoring text says so', async () => {
  const data = await reportFixture();
  data.result.maps.alignment[0][1] = data.result.maps.alignment[0][1].map((row) => row.map((v) => v / 2)) as Matrix;
  const { page, problems } = await openReport(browser, data);
  const overlay = page.getByLabel('Overlay', { exact: true });
  const map = page.locator('.overlay-map');
  await page.getByLabel('Opacity', { exact: true }).fill('1');
  await overlay.selectOption('alignment-0');
  assert.ok(closeColour(await shownPixel(map, ...centre(ALIGNMENT_HOT[0])), colour(1), 2), 'the stronger map reaches the top');
  assert.equal(await page.locator('.low-score').isHidden(), true, `text 0 has ${PROBABILITIES[0][0]}: no note`);
  await overlay.selectOption('alignment-1');
  assert.ok(closeColour(await shownPixel(map, ...centre(ALIGNMENT_HOT[1])), colour(0.5), 2), 'the halved map is drawn at half the shared scale');
  assert.match((await page.locator('.legend-slot').textContent()) ?? '', /one scale for this image's 2 texts/);
  assert.match((await page.locator('.low-score').textContent()) ?? '', /scores low on this image \(12\.5% of the probability over 2 texts\)/);
  await page.getByLabel('Colour scale', { exact: true }).selectOption('own');
  assert.ok(closeColour(await shownPixel(map, ...centre(ALIGNMENT_HOT[1])), colour(1), 2), 'on its own range the halved map reaches the top');
  assert.match((await page.locator('.legend-slot').textContent()) ?? '', /this map's own range/);
  assert.deepEqual([problems.console, problems.pageErrors], [[], []]);
});

test('a softmax over one text is printed but not coloured', async () => {
  const data = await reportFixture();
  const result = data.result;
  data.result = { ...result, texts: result.texts.slice(0, 1), similarity: [[0.25]], probabilities: [[1]], maps: { ...result.maps, alignment: [[result.maps.alignment[0][0]]] } };
  const { page } = await openReport(browser, data);
  const table = page.locator('table.score-table', { has: page.locator('caption', { hasText: 'Probability over texts' }) });
  assert.deepEqual(await table.locator('td').allTextContents(), ['100.0%']);
  assert.equal(await table.locator('td').first().evaluate((cell) => (cell as HTMLElement).style.backgroundColor), '');
  assert.equal(await page.getByLabel('Colour scale', { exact: true }).count(), 0, 'one text: nothing to share a scale with');
});

test('a report opens on the overlay it names (Zero-shot Labels opens on the picked label\'s map), the first map otherwise', async () => {
  const named = await openReport(browser, { ...(await reportFixture()), overlay: 'alignment-1' });
  assert.equal(await named.page.getByLabel('Overlay', { exact: true }).inputValue(), 'alignment-1');
  const unknown = await openReport(browser, { ...(await reportFixture()), overlay: 'no-such-map' });
  assert.equal(await unknown.page.getByLabel('Overlay', { exact: true }).inputValue(), 'rollout');
});
