/**
 * The probe panel's exports in headless Chromium: as a VS Code panel (a stand-in acquireVsCodeApi) the probe
 * report offers JSON of the whole result and, under every figure (charts, the score matrix, the retrieval table),
 * SVG, PNG and JSON with a background choice. Each export posts a message the host's validator accepts, whose
 * content is read back in the page: the SVG has its title, every label in full inside its box, the legend with the
 * data's range, the chosen background (none when transparent) and the fixed palette's colours; the PNG is twice
 * the SVG's size with the background in its corner; the JSON holds the numbers shown. A standalone report offers none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { messageProblem } from '../../src/shared/protocolValidators';
import type { ProbeResult } from '../../src/shared/probeResult';
import { closeColour, launchChromium, openReport, type PageProblems, type Rgb } from './reportPage';
import { pngPixel, readSvg } from './figureReadback';
import { probeFixture, XSS_CAPTION } from './probeFixture';

const VIRIDIS_MAX: Rgb = [253, 231, 37];
// The figure palettes: dark (#1e1e1e, bars #3794ff, text #d4d4d4) and light (#ffffff, bars #1a6fd6, text #1f1f1f).
const DARK = { background: '#1e1e1e', bar: 'rgb(55, 148, 255)' };
const LIGHT = { background: '#ffffff', bar: 'rgb(26, 111, 214)' };

let browser: Browser;
let page: Page;
let problems: PageProblems;
const result: ProbeResult = probeFixture();

before(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openReport(browser, { result }, true));
});
after(async () => {
  await browser?.close();
});

const posted = () => page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);

/**
 * Chooses `background` in the first export row of `section` (when given), clicks its button `name`, answers the
 * export it posts as saved, and returns the message.
 */
async function exportThrough(section: string, name: string, background?: string): Promise<Record<string, unknown>> {
  const row = page.locator(section).locator('.controls.export').first();
  if (background) await row.locator('select.figure-background-choice').selectOption(background);
  const before = (await posted()).length;
  await row.getByRole('button', { name }).click();
  await page.waitForFunction((count) => (window as unknown as { posted: unknown[] }).posted.length > count, before);
  const message = (await posted())[before];
  assert.equal(messageProblem(message), null);
  const saved = `/tmp/${message.fileName as string}`;
  await page.evaluate(({ requestId, saved }) => window.postMessage({ type: 'response', requestId, ok: true, body: { saved } }, '*'), { requestId: message.requestId as number, saved });
  await page.getByText(`Saved ${saved}`).waitFor({ timeout: 5000 });
  return message;
}

/** Asserts that every text of the SVG lies inside it and that `labels` are among its texts, in full. */
function assertLabelled(texts: { text: string; inside: boolean }[], labels: string[]): void {
  assert.deepEqual(texts.filter((t) => !t.inside).map((t) => t.text), [], 'texts outside the figure');
  const all = texts.map((t) => t.text);
  for (const label of labels) assert.ok(all.includes(label), `"${label}" in ${JSON.stringify(all)}`);
  assert.ok(all.every((t) => !/\.\.\.$|…$/.test(t)), 'no shortened text');
}

test('a standalone probe report offers no exports', async () => {
  const standalone = await openReport(browser, { result });
  assert.equal(await standalone.page.locator('.export-button').count(), 0);
  await standalone.page.close();
});

test('every figure gets SVG, PNG, JSON and a background choice; the result its JSON', async () => {
  const figures = await page.locator('section svg[role="img"], section canvas.heatmap, section table.score-table').count();
  // Retrieval, the score matrix, EMAP's two charts, the perceptual score, the ablation, the PCA scatter.
  assert.equal(figures, 7);
  for (const name of ['Export SVG', 'Export PNG']) assert.equal(await page.getByRole('button', { name }).count(), figures, name);
  assert.equal(await page.getByRole('button', { name: 'Export JSON' }).count(), figures + 1);
  assert.equal(await page.locator('select.figure-background-choice').count(), figures);
  // Each button's accessible name says what it exports, so no two are alike.
  const names = await page.locator('.export-button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''));
  assert.equal(new Set(names).size, names.length, names.join(' | '));
  assert.ok(names.every((name) => /^Export (SVG|PNG|JSON): \S/.test(name)), names.join(' | '));
});

test('Export JSON hands over the whole probe result', async () => {
  const message = await exportThrough('.summary', 'Export JSON');
  assert.equal(message.format, 'json');
  assert.deepEqual(JSON.parse(message.content as string), result);
});

test("the EMAP chart's SVG: title, axis, labels in full inside it, dark palette by default", async () => {
  const message = await exportThrough('.emap', 'Export SVG');
  assert.equal(message.fileName, 'probe-emap-1.svg');
  const svg = message.content as string;
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const read = await readSvg(page, svg);
  assert.equal(read.error, null);
  assert.equal(read.background, DARK.background, 'the page is dark: the dark figure palette');
  assert.deepEqual(read.fills, [DARK.bar, DARK.bar]);
  assert.deepEqual(read.texts.filter((t) => t.className === 'bar-value').map((t) => t.text), ['1.000', '0.500']);
  // The value axis runs 0 to 1 (the chart's domain), named by the caption.
  assertLabelled(read.texts, ['EMAP: does the model use cross-modal interactions?', 'Full model', 'Additive projection', 'accuracy', '0.0', '1.0']);
  assert.equal(read.viewBox, `0 0 ${read.width} ${read.height}`);
});

test('a light background: white under the light palette; transparent: no background at all', async () => {
  const light = await readSvg(page, (await exportThrough('.emap', 'Export SVG', 'light')).content as string);
  assert.equal(light.background, LIGHT.background);
  assert.deepEqual(light.fills, [LIGHT.bar, LIGHT.bar]);
  const transparent = await readSvg(page, (await exportThrough('.emap', 'Export SVG', 'transparent')).content as string);
  assert.equal(transparent.background, null);
  assert.ok(transparent.texts.length > 5);
});

test("the PNG is the SVG drawn at twice its size, the chosen background in its corner", async () => {
  const dark = await exportThrough('.emap', 'Export PNG', 'dark');
  assert.equal(dark.fileName, 'probe-emap-1.png');
  const svg = await readSvg(page, (await exportThrough('.emap', 'Export SVG')).content as string);
  const corner = await pngPixel(page, dark.content as string, 1, 1);
  assert.deepEqual([corner.width, corner.height], [2 * svg.width, 2 * svg.height]);
  assert.deepEqual(corner.rgba, [30, 30, 30, 255]);
  const light = await pngPixel(page, (await exportThrough('.emap', 'Export PNG', 'light')).content as string, 1, 1);
  assert.deepEqual(light.rgba, [255, 255, 255, 255]);
  const transparent = await pngPixel(page, (await exportThrough('.emap', 'Export PNG', 'transparent')).content as string, 1, 1);
  assert.equal(transparent.rgba[3], 0);
  await exportThrough('.emap', 'Export SVG', 'dark');
});

test("the EMAP chart's JSON holds the bars and the axis shown", async () => {
  const message = await exportThrough('.emap', 'Export JSON');
  assert.equal(message.fileName, 'probe-emap-1.json');
  const data = JSON.parse(message.content as string);
  assert.deepEqual({ bars: data.bars, domain: data.domain, caption: data.caption }, { bars: [{ label: 'Full model', value: 1 }, { label: 'Additive projection', value: 0.5 }], domain: [0, 1], caption: 'accuracy' });
});

test('the score matrix: a legend of the data\'s range, its cells where they are drawn', async () => {
  const message = await exportThrough('.pair-scores', 'Export SVG');
  assert.equal(message.fileName, 'probe-pair-scores-1.svg');
  const read = await readSvg(page, message.content as string, 'rect.legend-bar', 'image.heatmap');
  // The fixture's scores run from -0.5 (at [2][0]) to 0.9 (at [0][2]); d3 writes a minus sign (U+2212).
  assert.deepEqual(read.legend, { label: 'Cosine similarity', min: '\u22120.5', max: '0.9' });
  assert.equal(read.fills.length, 1);
  assertLabelled(read.texts, ['Pair scores', 'viridis colour scale, linear from dark to light']);
  // The heatmap is shown at 360 px; its cell [0][2] (the maximum) is its top-right ninth.
  assert.deepEqual([read.box?.width, read.box?.height], [360, 360]);
  const png = await exportThrough('.pair-scores', 'Export PNG');
  const { x, y } = read.box!;
  const cell = await pngPixel(page, png.content as string, 2 * (x + 300), 2 * (y + 60));
  assert.ok(closeColour(cell.rgba.slice(0, 3) as Rgb, VIRIDIS_MAX, 2), `cell ${cell.rgba}`);
  const data = JSON.parse((await exportThrough('.pair-scores', 'Export JSON')).content as string);
  assert.deepEqual(data.values, result.scores);
  assert.deepEqual(data.scale, { name: 'viridis', min: -0.5, max: 0.9 });
});

test('the retrieval table as a figure: every label and value, the 0-1 legend', async () => {
  const read = await readSvg(page, (await exportThrough('.retrieval', 'Export SVG')).content as string, 'rect.cell');
  assert.equal(read.fills.length, 6);
  assertLabelled(read.texts, ['Retrieval', 'Image → text', 'Text → image', 'R@1', 'R@5', 'R@10', '50.0%', '25.0%', '100.0%', 'Direction']);
  assert.deepEqual(read.legend?.min, '0');
  assert.deepEqual(read.legend?.max, '1');
});

test('the PCA scatter keeps its axes and gets its shape key; captions stay text', async () => {
  const svg = (await exportThrough('.geometry', 'Export SVG')).content as string;
  const read = await readSvg(page, svg);
  assertLabelled(read.texts, ['Joint embedding space', 'PC1 (60% of variance)', 'PC2 (30%)', 'images', 'texts (lines join the matching pairs)']);
  assert.ok(!svg.includes(XSS_CAPTION), 'no markup from a caption');
});

test('the page raised no errors or CSP violations', async () => {
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(await problems.violations(), []);
});
