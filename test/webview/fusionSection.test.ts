/**
 * The panel's fusion section for single-stream models, in headless Chromium, on hand-made joint attention: two
 * text tokens and four image tokens; head 0 sends every query's attention evenly to the image tokens, head 1 to
 * the text tokens. By hand: head 0 text -> image 1, image -> text 0, within (0 + 0 + 4 x 1) / 6 = 0.67; head 1 text
 * -> image 0, image -> text 1, within (2 x 1 + 0) / 6 = 0.33. A two-tower report has no such section.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { ReportData } from '../../src/shared/reportData';
import { reportFixture } from './reportFixture';
import { launchChromium, openReport } from './reportPage';

const TOKENS = 6;
const row = (keys: number[]) => Array.from({ length: TOKENS }, (_, k) => (keys.includes(k) ? 1 / keys.length : 0));
const head = (keys: number[]) => Array.from({ length: TOKENS }, () => row(keys));

async function singleStreamFixture(): Promise<ReportData> {
  const data = await reportFixture();
  const pair = [head([2, 3, 4, 5]), head([0, 1])];
  data.result.model.architecture = 'singleStream';
  data.result.model.tokenLayout = { tokens: TOKENS, textStart: 0, textEnd: 2, imageStart: 2, imageTokens: 4, imageCls: null, firstPatch: 2, itmToken: 0 };
  data.result.texts = data.result.texts.map((t) => ({ ...t, tokens: t.tokens.slice(0, 2) }));
  data.result.grid = { rows: 2, cols: 2 };
  // One layer; items are image 0 with each of the two texts.
  data.result.attention = { joint: [[pair, pair]] };
  return data;
}

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('the cross-modal share of each head, computed from the joint attention', async () => {
  const { page, problems } = await openReport(browser, await singleStreamFixture());
  const table = (caption: string) => page.locator('.cross-modal table', { has: page.locator('caption', { hasText: caption }) }).locator('tbody td');
  assert.deepEqual(await table('Text → image').allTextContents(), ['1.00', '0.00']);
  assert.deepEqual(await table('Image → text').allTextContents(), ['0.00', '1.00']);
  assert.deepEqual(await table('Within modality').allTextContents(), ['0.67', '0.33']);
  assert.match(await page.locator('.cross-modal .note').first().textContent() ?? '', /over the analysed image-text pairs/);
  assert.deepEqual(problems.pageErrors, []);
});

test('a two-tower report has no cross-modal section', async () => {
  const { page } = await openReport(browser, await reportFixture());
  assert.equal(await page.locator('.cross-modal').count(), 0);
});
