/**
 * The head grid's redraw in headless Chromium: a new query token repaints the same thumbnails in place (the
 * ViT-B/16 grid has 144 of them, see docs/performance.md) with the new values, also when a click or the arrow keys
 * pin a patch of the enlarged head as the query; another set of heads rebuilds them. A page packed as thumbnails has the first
 * token's rows only and no query choice, unless it is a panel, which fetches the rows of a picked query.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { messageProblem } from '../../src/shared/protocolValidators';
import { GRID, HEAD_HOT_PATCH, reportFixture } from './reportFixture';
import { asSent, canvasPixels, launchChromium, openReport, type Rgb } from './reportPage';

/** The ends of viridis, the lowest and highest colours of every map. */
const VIRIDIS_MIN: Rgb = [68, 1, 84];
const VIRIDIS_MAX: Rgb = [253, 231, 37];

let browser: Browser;
let page: Page;

before(async () => {
  browser = await launchChromium();
  ({ page } = await openReport(browser, await reportFixture()));
});
after(async () => {
  await browser?.close();
});

const thumbs = () => page.locator('.head-thumb canvas');
const query = (value: string) => page.getByLabel('Query token (0 = first/CLS)').fill(value);
/** Tags every thumbnail canvas, to tell a repainted canvas from a new one. */
const tag = () => thumbs().evaluateAll((canvases) => canvases.forEach((c) => c.setAttribute('data-probe', 'old')));
const tagged = () => page.locator('.head-thumb canvas[data-probe="old"]').count();
const cells = Array.from({ length: GRID.rows * GRID.cols }, (_, k) => [k % GRID.cols, Math.floor(k / GRID.cols)] as [number, number]);

test('a new query token repaints the same canvases with the new maps, and the enlarged head with them', async () => {
  await tag();
  const count = await thumbs().count();
  assert.equal(count, 4);
  await page.locator('.head-thumb:has-text("L1 H0")').click();
  await query('1');
  assert.equal(await tagged(), count, 'no thumbnail was rebuilt');
  // Query 1 attends uniformly in the fixture: every map is flat, drawn in the lowest colour.
  for (let i = 0; i < count; i++) assert.deepEqual(await canvasPixels(thumbs().nth(i), [[0, 0], [3, 3]]), [VIRIDIS_MIN, VIRIDIS_MIN]);
  assert.deepEqual(await canvasPixels(page.locator('.head-detail canvas.heatmap-large'), [[1, 1]]), [VIRIDIS_MIN], 'the enlarged head follows');
  await query('0');
  assert.equal(await tagged(), count);
  const hot = HEAD_HOT_PATCH[1][0];
  const pixels = await canvasPixels(page.locator('.head-thumb:has-text("L1 H0") canvas'), cells);
  assert.deepEqual(pixels, cells.map((_, k) => (k === hot ? VIRIDIS_MAX : VIRIDIS_MIN)));
  assert.equal(await page.locator('.head-thumb[aria-pressed="true"] .head-label').textContent(), 'L1 H0');
});

test('pointing changes nothing; a click pins a patch as the query, marked on the map, a second click or Escape unpins it', async () => {
  const large = page.locator('.head-detail .head-large');
  await large.scrollIntoViewIfNeeded(); // the mouse clicks below need it inside the viewport
  const box = await large.boundingBox();
  assert.ok(box);
  const query = () => page.getByLabel('Query token (0 = first/CLS)').inputValue();
  assert.match((await page.locator('.head-detail img.head-large-image').getAttribute('src')) ?? '', /^data:image\/png;base64,/, 'the image is under the map');
  assert.equal(await page.locator('.head-detail .grid-line').count(), (GRID.rows - 1) + (GRID.cols - 1), 'the patch grid is drawn');
  // Patch row 2, column 3 of the 4 x 4 grid: token 1 + 2 * 4 + 3 = 12 (token 0 is the CLS token).
  const [x, y] = [box.x + (3.5 / GRID.cols) * box.width, box.y + (2.5 / GRID.rows) * box.height];
  await page.mouse.move(x, y);
  assert.equal(await query(), '0', 'pointing alone does not change the query');
  assert.equal(await page.locator('.head-detail .query-patch').count(), 0, 'token 0 is no patch');
  await page.mouse.click(x, y);
  assert.equal(await query(), '12');
  assert.match((await thumbs().first().getAttribute('aria-label')) ?? '', /attention from token 12 /);
  assert.deepEqual(await page.locator('.head-detail .query-patch').evaluate((r) => ['x', 'y'].map((k) => r.getAttribute(k))), ['3', '2']);
  assert.match(await page.locator('.head-detail .head-query').innerText(), /Query: the patch in row 3, column 4 \(token 12\)/);
  await page.mouse.click(x, y);
  assert.equal(await query(), '0', 'a second click on the pinned patch unpins it');
  await page.mouse.click(box.x + 1, box.y + 1);
  assert.equal(await query(), '1');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.equal(await query(), '6', 'the arrows move the query: row 1, column 1 is token 1 + 4 + 1');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('head-large')), true, 'the keyboard stays on the map');
  await page.keyboard.press('Escape');
  assert.equal(await query(), '0');
  await page.mouse.click(box.x + 1, box.y + 1);
  await page.getByRole('button', { name: 'Back to token 0' }).click();
  assert.equal(await query(), '0');
});

test('another set of heads rebuilds the grid, and an enlarged head no longer drawn is cleared', async () => {
  await page.getByLabel('Layer', { exact: true }).selectOption('0');
  assert.deepEqual(await page.locator('.head-thumb .head-label').allTextContents(), ['L0 H0', 'L0 H1']);
  assert.equal(await tagged(), 0);
  assert.equal(await page.locator('.head-detail canvas.heatmap-large').count(), 0);
});

test('a page packed as thumbnails draws every head from the first token, says why there is no query choice, and offers none', async () => {
  const data = await reportFixture();
  const { page: small, problems } = await openReport(browser, asSent(data, 'thumbnails'));
  try {
    assert.equal(await small.locator('.head-thumb canvas').count(), 4);
    for (const [l, h] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const pixels = await canvasPixels(small.locator(`.head-thumb:has-text("L${l} H${h}") canvas`), cells);
      assert.deepEqual(pixels, cells.map((_, k) => (k === HEAD_HOT_PATCH[l][h] ? VIRIDIS_MAX : VIRIDIS_MIN)), `L${l} H${h}`);
    }
    assert.equal(await small.getByLabel('Query token (0 = first/CLS)').count(), 0);
    assert.match(await small.locator('section.heads').innerText(), /attention from the first token only; write the report with --report-attention full/);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await small.close();
  }
});

test('in a panel, a thumbnails page fetches the rows of a picked query from the extension and draws them', async () => {
  const data = await reportFixture();
  const { page: panel, problems } = await openReport(browser, asSent(data, 'thumbnails'), true);
  try {
    const posted = () => panel.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);
    assert.match(await panel.locator('section.heads').innerText(), /fetched from the extension when you pick it/);
    await panel.getByLabel('Query token (0 = first/CLS)').fill('5');
    await panel.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
    const [request] = await posted();
    assert.equal(messageProblem(request), null);
    assert.deepEqual([request.type, request.item, request.query], ['attentionRows', 0, 5]);
    // The reply: for every layer and head, query 5 attends to patch 15 - (head + layer), [layer][head][key].
    const [layers, heads, tokens] = [HEAD_HOT_PATCH.length, HEAD_HOT_PATCH[0].length, 1 + GRID.rows * GRID.cols];
    await panel.evaluate(({ requestId, layers, heads, tokens }) => {
      const rows = new Float32Array(layers * heads * tokens);
      for (let l = 0; l < layers; l++) for (let h = 0; h < heads; h++) rows[(l * heads + h) * tokens + 1 + 15 - (h + l)] = 1;
      window.postMessage({ type: 'response', requestId, ok: true, body: { rows } }, '*');
    }, { requestId: request.requestId as number, layers, heads, tokens });
    await panel.waitForFunction(() => /token 5 /.test(document.querySelector('.head-thumb canvas')?.getAttribute('aria-label') ?? ''));
    for (const [l, h] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const pixels = await canvasPixels(panel.locator(`.head-thumb:has-text("L${l} H${h}") canvas`), cells);
      assert.deepEqual(pixels, cells.map((_, k) => (k === 15 - (h + l) ? VIRIDIS_MAX : VIRIDIS_MIN)), `L${l} H${h}`);
    }
    // A failed fetch is said, and the grid stays on the query it had.
    await panel.getByLabel('Query token (0 = first/CLS)').fill('7');
    await panel.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 1);
    const failed = (await posted())[1];
    await panel.evaluate((requestId) => window.postMessage({ type: 'response', requestId, ok: false, error: 'no longer kept' }, '*'), failed.requestId as number);
    await panel.getByText('Could not fetch the attention of token 7: no longer kept').waitFor({ timeout: 5000 });
    assert.match((await panel.locator('.head-thumb canvas').first().getAttribute('aria-label')) ?? '', /token 5 /);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await panel.close();
  }
});
