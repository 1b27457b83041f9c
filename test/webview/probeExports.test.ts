/**
 * The probe panel's exports in headless Chromium: as a VS Code panel (a stand-in acquireVsCodeApi) the probe
 * report offers JSON of the whole result, SVG and PNG of each chart and PNG of the score matrix; each export
 * posts a message the host's validator accepts, whose content is the file: the SVG carries the chart's numbers
 * and colours without the page's style sheet, the PNGs show the bars and cells where they are drawn. A
 * standalone report offers none of them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { messageProblem } from '../../src/shared/protocolValidators';
import type { ProbeResult } from '../../src/shared/probeResult';
import { closeColour, launchChromium, openReport, type PageProblems, type Rgb } from './reportPage';
import { probeFixture } from './probeFixture';

const VIRIDIS_MAX: Rgb = [253, 231, 37];
// The bar colour and page background the report falls back to outside VS Code (#3794ff, #1e1e1e).
const BAR: Rgb = [55, 148, 255];
const BACKGROUND: Rgb = [30, 30, 30];

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

/** Clicks the first button named `name` in the section `section`, answers the export it posts as saved, and returns the message. */
async function exportThrough(section: string, name: string): Promise<Record<string, unknown>> {
  const before = (await posted()).length;
  await page.locator(section).getByRole('button', { name }).first().click();
  await page.waitForFunction((count) => (window as unknown as { posted: unknown[] }).posted.length > count, before);
  const message = (await posted())[before];
  assert.equal(messageProblem(message), null);
  const saved = `/tmp/${message.fileName as string}`;
  await page.evaluate(({ requestId, saved }) => window.postMessage({ type: 'response', requestId, ok: true, body: { saved } }, '*'), { requestId: message.requestId as number, saved });
  await page.getByText(`Saved ${saved}`).waitFor({ timeout: 5000 });
  return message;
}

function pngPixel(dataUrl: string, x: number, y: number): { width: number; height: number; rgb: Rgb } {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  const at = (y * png.width + x) * 4;
  return { width: png.width, height: png.height, rgb: [png.data[at], png.data[at + 1], png.data[at + 2]] };
}

test('a standalone probe report offers no exports', async () => {
  const standalone = await openReport(browser, { result });
  assert.equal(await standalone.page.locator('.export-button').count(), 0);
  await standalone.page.close();
});

test('every chart gets SVG and PNG, the score matrix PNG, the result JSON', async () => {
  const charts = await page.locator('section svg[role="img"]').count();
  assert.ok(charts >= 3, `${charts} charts`);
  assert.equal(await page.getByRole('button', { name: 'Export SVG' }).count(), charts);
  assert.equal(await page.getByRole('button', { name: 'Export PNG' }).count(), charts + 1);
  assert.equal(await page.getByRole('button', { name: 'Export JSON' }).count(), 1);
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

test("the EMAP chart's SVG stands alone: its values as text, its colours on its elements", async () => {
  const message = await exportThrough('.emap', 'Export SVG');
  assert.equal(message.fileName, 'probe-emap-1.svg');
  const svg = message.content as string;
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      values: [...doc.querySelectorAll('.bar-value')].map((t) => t.textContent),
      barFill: doc.querySelector('rect.bar')?.getAttribute('fill'),
    };
  }, svg);
  assert.deepEqual(parsed, { error: null, values: ['1.000', '0.500'], barFill: `rgb(${BAR.join(', ')})` });
});

test("the EMAP chart's PNG shows its first bar (value 1 of 1: full length) on the page background", async () => {
  const message = await exportThrough('.emap', 'Export PNG');
  assert.equal(message.fileName, 'probe-emap-1.png');
  const box = await page.locator('.emap svg').first().evaluate((svg) => [(svg as SVGSVGElement).width.baseVal.value, (svg as SVGSVGElement).height.baseVal.value]);
  // Bars run from x = 170 (zero) to 400 (the largest value); the first row spans y = 5..21.
  const bar = pngPixel(message.content as string, 390, 12);
  assert.deepEqual([bar.width, bar.height], box);
  assert.ok(closeColour(bar.rgb, BAR, 2), `bar ${bar.rgb}`);
  assert.ok(closeColour(pngPixel(message.content as string, 2, 1).rgb, BACKGROUND, 2), 'background');
});

test('the score matrix PNG is the size it is shown, each pair a block of its colour', async () => {
  const message = await exportThrough('.pair-scores', 'Export PNG');
  assert.equal(message.fileName, 'probe-pair-scores-1.png');
  // The fixture's maximum is at row 0, column 2 of a 3 x 3 matrix shown at 360 px: its block is x 240..360, y 0..120.
  const cell = pngPixel(message.content as string, 300, 60);
  assert.deepEqual([cell.width, cell.height], [360, 360]);
  assert.ok(closeColour(cell.rgb, VIRIDIS_MAX, 2), `cell ${cell.rgb}`);
});

test('the page raised no errors or CSP violations', async () => {
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.console, []);
  assert.deepEqual(await problems.violations(), []);
});
