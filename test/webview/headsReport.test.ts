// The head importance report (`mmlens heads --html` on the demo CLIP) in headless Chromium: the grid has a cell per
// head and per layer, each labelled with its drop, coloured by its size, and reachable from the keyboard (one cell
// in the tab order, the arrow keys, Home and End move the focus); nothing breaks the page's CSP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { HeadImportanceResult } from '../../src/shared/headImportance';
import { mmlens, SAMPLE_SCENE } from '../support/mmlens';
import { launchChromium } from './reportPage';

let browser: Browser;
let page: Page;
let work: string;
let result: HeadImportanceResult;
const errors: string[] = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-heads-report-'));
  const [html, json] = [join(work, 'heads.html'), join(work, 'heads.json')];
  const run = mmlens('heads', '--image', SAMPLE_SCENE, '--text', 'a red circle', '--ep', 'cpu', '--html', html, '--json', json);
  assert.equal(run.status, 0, run.stderr);
  result = JSON.parse(readFileSync(json, 'utf8')) as HeadImportanceResult;
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(pathToFileURL(html).href);
});
after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

test('a cell per head and per whole layer, each labelled with its drop and the score without it', async () => {
  const rows = page.locator('table.heads-grid tbody tr');
  assert.equal(await rows.count(), result.layers);
  assert.equal(await page.locator('table.heads-grid td').count(), result.layers * (result.heads + 1));
  const first = await page.locator('table.heads-grid td').first().getAttribute('aria-label');
  assert.equal(first, `layer 0 head 0: drop ${result.importance[0][0].toFixed(4)}, score without it ${result.ablated[0][0].toFixed(4)}`);
  const wholeLast = await rows.last().locator('td').last().getAttribute('aria-label');
  assert.match(wholeLast ?? '', new RegExp(`^layer ${result.layers - 1}, every head: drop ${result.layerImportance[result.layers - 1].toFixed(4)}`));
  assert.deepEqual(errors, []);
});

test('the largest drop among the heads is drawn strongest, a near-zero one nearly as the background', async () => {
  const flat = result.importance.flat();
  const index = (pick: (a: number, b: number) => boolean) => flat.reduce((best, v, i) => (pick(Math.abs(v), Math.abs(flat[best])) ? i : best), 0);
  const cellAt = (i: number) => page.locator('table.heads-grid tbody tr').nth(Math.floor(i / result.heads)).locator('td').nth(i % result.heads);
  const share = (i: number) => cellAt(i).evaluate((td) => (td as HTMLElement).style.getPropertyValue('--share'));
  assert.equal(await share(index((a, b) => a > b)), '100%');
  const smallest = Number.parseInt(await share(index((a, b) => a < b)), 10);
  assert.ok(smallest < 10, `smallest share ${smallest}%`);
  const colour = await cellAt(index((a, b) => a > b)).evaluate((td) => getComputedStyle(td).backgroundColor);
  assert.notEqual(colour, 'rgba(0, 0, 0, 0)');
});

test('keyboard: Tab reaches the grid once, the arrows, Home and End move within it', async () => {
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  await page.locator('table.heads-grid td').first().focus();
  assert.match(await focused(), /^layer 0 head 0:/);
  await page.keyboard.press('ArrowRight');
  assert.match(await focused(), /^layer 0 head 1:/);
  await page.keyboard.press('ArrowDown');
  assert.match(await focused(), /^layer 1 head 1:/);
  await page.keyboard.press('End');
  assert.match(await focused(), /^layer 1, every head:/);
  await page.keyboard.press('Home');
  assert.match(await focused(), /^layer 1 head 0:/);
  const tabbable = await page.locator('table.heads-grid td[tabindex="0"]').count();
  assert.equal(tabbable, 1);
});
