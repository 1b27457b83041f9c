/**
 * The built alignment explorer at the sidebar's 300 px (issue 18 item 8: the matrix was clipped at 2 of 4
 * columns): a 3 x 5 matrix scrolls within its own frame while the page does not scroll sideways, the last
 * column is reachable and keeps its colour, the legend stays in view, and a long image name is truncated with
 * its full name as the tooltip.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { respond, type ExplorerData } from '../../src/shared/protocol';
import { openWebview, solidPng, type Webview } from './explorerHarness';
import { launchChromium } from './reportPage';

const LONG_NAME = 'a-very-long-image-file-name-from-a-dataset-export-0001.png';
const TEXTS = ['a red circle', 'a blue square', 'a green triangle', 'an orange star', 'a purple circle'];
const data: ExplorerData = {
  images: [LONG_NAME, 'b.png', 'c.png'].map((name, i) => ({ path: `/w/${name}`, name, preview: solidPng(8, 8, [80 * i, 0, 0]) })),
  labels: TEXTS,
  template: '',
  texts: TEXTS,
  matrix: { rows: 3, cols: 5, values: Float32Array.from({ length: 15 }, (_, k) => k / 14), kind: 'cosine' },
  model: { name: 'fixture', architecture: 'twoTower', executionProvider: 'cpu', notices: [] },
  probe: null,
  answers: null,
};

let browser: Browser;
let view: Webview;
let page: Page;

before(async () => {
  browser = await launchChromium();
  view = await openWebview(browser, 'explorer');
  page = view.page;
  await page.setViewportSize({ width: 300, height: 900 });
  await view.nextPosted('ready');
  await view.send(respond(1, { body: data }));
  await page.locator('.cell').nth(14).waitFor({ state: 'attached' });
});
after(async () => {
  await browser?.close();
});

test('the matrix scrolls within its frame, the page does not, and every column can be reached', async () => {
  const sizes = await page.evaluate(() => {
    const frame = document.querySelector('.matrix-scroll')!;
    return { frame: [frame.scrollWidth, frame.clientWidth], page: [document.documentElement.scrollWidth, document.documentElement.clientWidth] };
  });
  assert.ok(sizes.frame[0] > sizes.frame[1], `the matrix (${sizes.frame[0]} px) is wider than its frame (${sizes.frame[1]} px)`);
  assert.ok(sizes.page[0] <= sizes.page[1], `the page itself does not scroll sideways (${sizes.page})`);
  const last = page.locator('.cell[data-image="0"][data-text="4"]');
  await last.scrollIntoViewIfNeeded();
  const box = (await last.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 300, `the last column scrolled into the view (x ${box.x})`);
  assert.equal(await last.textContent(), '0.29');
  assert.ok(await page.locator('.legend').first().isVisible());
  const legend = (await page.locator('.legend').first().boundingBox())!;
  assert.ok(legend.x >= 0, 'the legend does not scroll away with the matrix');
  // Its maximum is not cut at the view's edge: the legend wraps inside the view, also in a sidebar narrowed to 200 px.
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ ...viewport, width: 200 });
  const max = (await page.locator('.legend .legend-max').first().boundingBox())!;
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  await page.setViewportSize(viewport);
  assert.ok(max.x + max.width <= width, `the legend's maximum ends at ${max.x + max.width} px, past the ${width} px view`);
  assert.deepEqual(view.problems, []);
});

test('a long image name is truncated in its header, with the full name as its tooltip', async () => {
  const name = page.locator('.row-head .sort-button').first();
  assert.equal(await name.getAttribute('title'), LONG_NAME);
  const fits = await name.evaluate((e) => [e.scrollWidth, e.clientWidth, getComputedStyle(e).textOverflow]);
  assert.ok(Number(fits[0]) > Number(fits[1]), 'the name is longer than its header');
  assert.equal(fits[2], 'ellipsis');
});
