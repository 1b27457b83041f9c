/**
 * The analysis panel's requests to the extension in headless Chromium: as a VS Code panel (a stand-in
 * acquireVsCodeApi) the page offers "Compute occlusion" and exports, posts messages the host's validator
 * accepts, and shows the replies; as a standalone report it offers nothing it could not do.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { messageProblem } from '../../src/shared/protocolValidators';
import { pngPixel, readSvg } from './figureReadback';
import { cellCentre, GREY, GRID, HEAD_HOT_PATCH, reportFixture, SCRIPT_END_TEXT, XSS_TEXT } from './reportFixture';
import { canvasAlphas, closeColour, launchChromium, openReport, shownPixel, type PageProblems, type Rgb } from './reportPage';

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
  await page.getByLabel('Map for').selectOption('1');
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
  const select = page.getByLabel('Overlay', { exact: true });
  await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('.image-card select')?.value === 'occlusion-1');
  assert.match(await select.locator('option:checked').textContent() ?? '', /^Occlusion for ".*" \(drop of the cosine similarity, 17 forward passes\)$/);
  assert.equal(await page.getByRole('button', { name: 'Compute occlusion' }).isDisabled(), false);
  await page.getByLabel('Opacity').fill('1');
  const map = page.locator('.overlay-map');
  assert.ok(closeColour(await shownPixel(map, ...cellCentre(HOT)), VIRIDIS_MAX, 2), 'the occluded patch with the drop');
  assert.deepEqual(await canvasAlphas(map, [cellCentre({ row: 0, col: 0 })]), [0], 'a patch without a drop is transparent');
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
  const png = await exportThrough('Export PNG: grey.png with its overlay', '/tmp/grey-overlay.png');
  assert.equal(messageProblem(png), null);
  assert.equal(png.format, 'png');
  assert.match(png.fileName as string, /-overlay\.png$/);
  const json = await exportThrough('Export JSON: the whole analysis', '/tmp/analysis.json');
  assert.equal(messageProblem(json), null);
  const exported = JSON.parse(json.content as string);
  const fixture = await reportFixture();
  assert.deepEqual(exported.similarity, fixture.result.similarity);
  assert.deepEqual(exported.texts.map((t: { text: string }) => t.text), fixture.result.texts.map((t) => t.text));
});

/** The occlusion map the test computed: 0.5 at HOT, 0 elsewhere, rows x cols. */
const occlusionMap = () => Array.from({ length: GRID.rows }, (_, r) => Array.from({ length: GRID.cols }, (_, c) => (r === HOT.row && c === HOT.col ? 0.5 : 0)));

test('the whole analysis JSON holds the occlusion map computed on the page, equal to the map drawn', async () => {
  const exported = JSON.parse((await exportThrough('Export JSON: the whole analysis', '/tmp/analysis.json')).content as string);
  assert.deepEqual(exported.maps.occlusion, [{
    method: 'occlusion',
    image: 0,
    text: 1,
    label: `Occlusion for "${SCRIPT_END_TEXT}" (drop of the cosine similarity, 17 forward passes)`,
    score: 'cosine similarity',
    forwardPasses: 17,
    rows: GRID.rows,
    cols: GRID.cols,
    map: occlusionMap(),
  }]);
});

test('the image with its overlay as a figure: its title, the legend of the map shown, the chosen background', async () => {
  const svg = await exportThrough('Export SVG: grey.png with its overlay', '/tmp/grey-overlay.svg');
  const read = await readSvg(page, svg.content as string, 'image', 'image.overlay-map');
  assert.equal(read.error, null);
  assert.equal(read.background, '#1e1e1e');
  // The occlusion map shown runs from 0 to its one drop of 0.5.
  assert.deepEqual(read.legend, { label: `Occlusion for "${SCRIPT_END_TEXT}" (drop of the cosine similarity, 17 forward passes)`, min: '0', max: '0.5' });
  assert.deepEqual(read.texts.filter((t) => !t.inside), []);
  assert.equal(read.texts.find((t) => t.className === 'figure-title')?.text, `grey.png: Occlusion for "${SCRIPT_END_TEXT}" (drop of the cosine similarity, 17 forward passes)`);
  assert.equal(read.fills.length, 2, 'the image and the map, as two layers');
  const png = await exportThrough('Export PNG: grey.png with its overlay', '/tmp/grey-overlay.png');
  const { x, y } = read.box!;
  // At opacity 1 the hot patch's centre is the top colour, within the step of the smoothed map between
  // neighbouring pixels (the figure draws the overlay's pixels at twice their size); a patch without a drop shows
  // the grey image, as on the page, where the map's low values are transparent.
  const [hotX, hotY] = cellCentre(HOT);
  const hot = await pngPixel(page, png.content as string, 2 * (x + hotX), 2 * (y + hotY));
  assert.ok(closeColour(hot.rgba.slice(0, 3) as Rgb, VIRIDIS_MAX, 10), `hot patch ${hot.rgba}`);
  const [coldX, coldY] = cellCentre({ row: 0, col: 0 });
  const cold = await pngPixel(page, png.content as string, 2 * (x + coldX), 2 * (y + coldY));
  assert.ok(closeColour(cold.rgba.slice(0, 3) as Rgb, [GREY, GREY, GREY], 3), `cold patch ${cold.rgba}`);
  assert.deepEqual((await pngPixel(page, png.content as string, 0, 0)).rgba, [30, 30, 30, 255]);
  const data = JSON.parse((await exportThrough('Export JSON: grey.png with its overlay', '/tmp/grey-overlay.json')).content as string);
  assert.deepEqual(data.map.values, occlusionMap());
  assert.deepEqual(data.map.scale, { name: 'viridis', min: 0, max: 0.5 });
  assert.equal(data.opacity, 1);
});

test('a score table as a figure on light: every text in full inside it, the cosine legend from -1 to 1', async () => {
  await page.getByLabel('Background of the exported figure: Image-text scores, Cosine similarity').selectOption('light');
  const svg = (await exportThrough('Export SVG: Image-text scores, Cosine similarity', '/tmp/similarity.svg')).content as string;
  const read = await readSvg(page, svg, 'rect.cell');
  assert.equal(read.background, '#ffffff');
  assert.deepEqual(read.texts.filter((t) => !t.inside), []);
  const texts = read.texts.map((t) => t.text);
  // d3 writes negative numbers with a minus sign (U+2212).
  for (const text of [XSS_TEXT, SCRIPT_END_TEXT, 'grey.png', '0.250', '\u22120.125', 'Image-text scores']) assert.ok(texts.includes(text), `"${text}" in ${JSON.stringify(texts)}`);
  assert.ok(!svg.includes('<img'), 'a text is never markup');
  assert.deepEqual(read.legend, { label: 'Cosine similarity', min: '\u22121', max: '1' });
  assert.equal(read.fills.length, 2);
});

test('the head grid as a figure: one named map per head, each on its own range', async () => {
  const read = await readSvg(page, (await exportThrough('Export SVG: the attention per head', '/tmp/heads.svg')).content as string, 'image.head-map');
  assert.equal(read.fills.length, 4);
  assert.deepEqual(read.texts.filter((t) => t.className === 'head-name').map((t) => t.text), ['L0 H0', 'L0 H1', 'L1 H0', 'L1 H1']);
  assert.deepEqual(read.texts.filter((t) => !t.inside), []);
  assert.deepEqual([read.legend?.min, read.legend?.max], ["the head's minimum", 'its maximum']);
  const data = JSON.parse((await exportThrough('Export JSON: the attention per head', '/tmp/heads.json')).content as string);
  // Head [layer][head]'s CLS row puts all its mass on HEAD_HOT_PATCH[layer][head].
  const hot = data.heads.map((h: { values: number[][] }) => h.values.flat().indexOf(Math.max(...h.values.flat())));
  assert.deepEqual(hot, HEAD_HOT_PATCH.flat());
});

test('no page errors or CSP violations after every export', async () => {
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(await problems.violations(), []);
});
