/**
 * The analysis panel's requests to the extension in headless Chromium: as a VS Code panel (a stand-in
 * acquireVsCodeApi) the page offers "Compute occlusion" and exports, posts messages the host's validator
 * accepts, and shows the replies; as a standalone report it offers nothing it could not do.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { messageProblem } from '../../src/shared/protocolValidators';
import { GRID, reportFixture } from './reportFixture';
import { canvasPixels, closeColour, launchChromium, openReport, shownPixel, type PageProblems, type Rgb } from './reportPage';

const VIRIDIS_MIN: Rgb = [68, 1, 84];
const VIRIDIS_MAX: Rgb = [253, 231, 37];
const HOT = { row: 3, col: 1 };

let browser: Browser;
let page: Page;
let problems: PageProblems;

before(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openReport(browser, await reportFixture(), true));
});
after(async () => {
  await browser?.close();
});

const posted = () => page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);

test('a standalone report has no occlusion or export buttons', async () => {
  const standalone = await openReport(browser, await reportFixture());
  for (const name of ['Compute occlusion', 'Export PNG', 'Export JSON']) assert.equal(await standalone.page.getByRole('button', { name }).count(), 0, name);
  await standalone.page.close();
});

test('Compute occlusion posts a valid request and shows the reply as the chosen overlay', async () => {
  await page.getByLabel('Occlusion for').selectOption('1');
  await page.getByRole('button', { name: 'Compute occlusion' }).click();
  await page.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
  const [request] = await posted();
  assert.equal(messageProblem(request), null);
  assert.deepEqual({ type: request.type, image: request.image, text: request.text }, { type: 'computeOcclusion', image: 0, text: 1 });
  assert.equal(await page.getByRole('button', { name: 'Compute occlusion' }).isDisabled(), true);
  await page.evaluate(({ requestId, grid, hot }) => {
    const values = new Float32Array(grid.rows * grid.cols);
    values[hot.row * grid.cols + hot.col] = 0.5;
    window.postMessage({ type: 'response', requestId, ok: true, body: { rows: grid.rows, cols: grid.cols, values, score: 'cosine similarity', forwardPasses: 17 } }, '*');
  }, { requestId: request.requestId as number, grid: GRID, hot: HOT });
  const select = page.getByLabel('Overlay');
  await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('.image-card select')?.value === 'occlusion-1');
  assert.match(await select.locator('option:checked').textContent() ?? '', /^Occlusion for ".*" \(drop of the cosine similarity, 17 forward passes\)$/);
  assert.equal(await page.getByRole('button', { name: 'Compute occlusion' }).isDisabled(), false);
  await page.getByLabel('Opacity').fill('1');
  const map = page.locator('.overlay-map');
  // The overlay is 256 px for 4 cells: cell (r, c) is centred at (64c + 32, 64r + 32).
  assert.ok(closeColour(await shownPixel(map, 64 * HOT.col + 32, 64 * HOT.row + 32), VIRIDIS_MAX, 2), 'the occluded patch with the drop');
  assert.deepEqual(await canvasPixels(map, [[32, 32]]), [VIRIDIS_MIN]);
});

test('a failed request is said in the status line, and the page stays usable', async () => {
  const before = (await posted()).length;
  await page.getByRole('button', { name: 'Compute occlusion' }).click();
  await page.waitForFunction((n) => (window as unknown as { posted: unknown[] }).posted.length > n, before);
  const request = (await posted())[before];
  await page.evaluate((requestId) => window.postMessage({ type: 'response', requestId, ok: false, error: 'cancelled <b>by you</b>' }, '*'), request.requestId as number);
  await page.getByText('Occlusion failed: cancelled <b>by you</b>').waitFor({ timeout: 5000 });
  assert.equal(await page.locator('.occlusion-status b').count(), 0);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(await problems.violations(), []);
});

/** Clicks `button`, answers the Export message it posts with `saved`, and returns that message. */
async function exportThrough(button: string, saved: string): Promise<Record<string, unknown>> {
  const before = (await posted()).length;
  await page.getByRole('button', { name: button }).click();
  await page.waitForFunction((n) => (window as unknown as { posted: unknown[] }).posted.length > n, before);
  const message = (await posted())[before];
  await page.evaluate(({ requestId, saved }) => window.postMessage({ type: 'response', requestId, ok: true, body: { saved } }, '*'), { requestId: message.requestId as number, saved });
  await page.getByText(`Saved ${saved}`).waitFor({ timeout: 5000 });
  return message;
}

test('Export PNG hands the image with its overlay to the extension; Export JSON the whole analysis', async () => {
  const png = await exportThrough('Export PNG', '/tmp/grey-overlay.png');
  assert.equal(messageProblem(png), null);
  assert.equal(png.format, 'png');
  assert.match(png.fileName as string, /-overlay\.png$/);
  const json = await exportThrough('Export JSON', '/tmp/analysis.json');
  assert.equal(messageProblem(json), null);
  const exported = JSON.parse(json.content as string);
  const fixture = await reportFixture();
  assert.deepEqual(exported.similarity, fixture.result.similarity);
  assert.deepEqual(exported.texts.map((t: { text: string }) => t.text), fixture.result.texts.map((t) => t.text));
});
