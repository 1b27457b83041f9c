/**
 * The built probe report (dist/webview/probe.js + probe.css) in headless Chromium, on a hand-made ProbeResult:
 * the sections and numbers it shows, the score-matrix canvas colours, hostile captions kept as text, the PCA
 * scatter's points and links, the cross-modal tables' z-score switch, and a page without errors or CSP
 * violations.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildHtmlReport } from '../../src/cli/htmlReport';
import { readReportAssets } from '../../src/cli/reportAssets';
import type { ProbeResult } from '../../src/shared/probeResult';
import { probeFixture, shareCell, XSS_CAPTION } from './probeFixture';
import { canvasPixels, launchChromium, type Rgb } from './reportPage';

const VIRIDIS_MIN: Rgb = [68, 1, 84];
const VIRIDIS_MAX: Rgb = [253, 231, 37];
const result: ProbeResult = probeFixture();

let browser: Browser;
let page: Page;
const problems: string[] = [];

async function open(data: ProbeResult): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'mmlens-probe-report-')), 'probe.html');
  writeFileSync(file, buildHtmlReport({ result: data }, await readReportAssets('.', 'probe')));
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => {
    problems.push(`dialog ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP ${e.violatedDirective}`)));
  await page.goto(pathToFileURL(file).href);
}

before(async () => {
  browser = await launchChromium();
  await open(result);
});
after(async () => {
  await browser?.close();
});

test('the sections, retrieval table and bar values show the result', async () => {
  assert.deepEqual(await page.locator('h2').allTextContents(), ['Retrieval', 'Pair scores', 'EMAP: does the model use cross-modal interactions?', 'Perceptual score', 'Modality ablation', 'Joint embedding space']);
  assert.deepEqual(await page.locator('.retrieval td').allTextContents(), ['50.0%', '100.0%', '100.0%', '25.0%', '100.0%', '100.0%']);
  assert.deepEqual(await page.locator('.emap .bar-value').allTextContents(), ['1.000', '0.500', '1.000', '0.250']);
  assert.deepEqual(await page.locator('.perceptual .bar-value').allTextContents(), ['1.000', '0.600', '0.800']);
  assert.deepEqual(await page.locator('.geometry dd').allTextContents(), ['0.750', '1.250', '\u22122.000', 'n/a']);
  assert.match((await page.locator('.summary dd').allTextContents()).join(' | '), /3; 1 skipped, image missing/);
});

test('the score matrix paints one canvas pixel per pair; pointing names the pair, captions stay text', async () => {
  const canvas = page.locator('canvas.score-matrix');
  assert.deepEqual(await canvasPixels(canvas, [[2, 0], [0, 2]]), [VIRIDIS_MAX, VIRIDIS_MIN]);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.1);
  assert.equal(await page.locator('.readout').textContent(), `image 0 (red.png) × caption 1 ("${XSS_CAPTION}"): 0.100`);
  assert.equal(await page.locator('img').count(), 0);
});

test('the PCA scatter draws every image and text and links only the matching pairs', async () => {
  assert.equal(await page.locator('.pca-scatter circle').count(), 3);
  assert.equal(await page.locator('.pca-scatter rect').count(), 3);
  assert.equal(await page.locator('.pca-scatter .pair-link').count(), 2);
  assert.deepEqual(await page.locator('.pca-scatter rect title').allTextContents(), ['text: a red circle', `text: ${XSS_CAPTION}`, 'text: a green square']);
});

test('a single-stream result shows the cross-modal tables, with a switch to z-scores', async () => {
  await page.close();
  const single: ProbeResult = { ...result, geometry: undefined, scoreKind: 'itmLogOdds', crossModalAttention: [[shareCell(0.25, 1), shareCell(0.75, -1)]], model: { ...result.model, architecture: 'singleStream' } };
  await open(single);
  assert.equal(await page.locator('h2').last().textContent(), 'Cross-modal attention');
  assert.deepEqual(await page.locator('.share-tables table').first().locator('td').allTextContents(), ['0.25', '0.75']);
  await page.selectOption('.cross-modal select', 'z');
  assert.deepEqual(await page.locator('.share-tables caption').allTextContents(), ['Text → image (z-score)', 'Image → text (z-score)', 'Within modality (z-score)']);
  assert.deepEqual(await page.locator('.share-tables table').first().locator('td').allTextContents(), ['+1.0', '\u22121.0']);
  assert.deepEqual(problems, []);
});

test("with VL-InterpreT's statistics, a third choice shows them by their names; without, there is no such choice", async () => {
  await page.close();
  const stat = (z: number[][]) => ({ z, layerMean: z.map((row) => row.reduce((a, v) => a + v, 0) / row.length) });
  const names = ['img2txt', 'txt2img', 'img2img', 'img2imgWithoutSelf', 'txt2txt', 'crossmodal', 'intramodal'] as const;
  const vlInterpret = Object.fromEntries(names.map((n, i) => [n, stat([[i / 4, -i / 4], [-i / 4, i / 4]])])) as NonNullable<ProbeResult['vlInterpret']>;
  const cells = [[shareCell(0.25, 1), shareCell(0.75, -1)], [shareCell(0.5, 0), shareCell(0.5, 0)]];
  const single: ProbeResult = { ...result, geometry: undefined, scoreKind: 'itmLogOdds', crossModalAttention: cells, vlInterpret, model: { ...result.model, architecture: 'singleStream' } };
  await open(single);
  await page.selectOption('.cross-modal select', 'vl-interpret');
  assert.deepEqual(await page.locator('.share-tables caption').allTextContents(), ['crossmodal (z over layers)', 'img2txt (text queries on image keys) (z over layers)', 'txt2img (image queries on text keys) (z over layers)', 'intramodal (z over layers)']);
  // crossmodal is measure 5 of the fixture: z = ±5/4.
  assert.deepEqual(await page.locator('.share-tables table').first().locator('td').allTextContents(), ['+1.3', '\u22121.3', '\u22121.3', '+1.3']);
  assert.deepEqual(problems, []);
  await page.close();
  await open({ ...single, vlInterpret: undefined });
  assert.deepEqual(await page.locator('.cross-modal select option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)), ['share', 'z']);
});

test('an unlabelled EMAP shows its notice beside the bars: the additive recall@1 is fixed by construction', async () => {
  await page.close();
  const notice = "EMAP's additive recall@1 (0.333) is fixed by construction, not measured";
  const unlabelled: ProbeResult = { ...result, emap: { metric: 'recall@1', full: 1, additive: 1 / 3, notice } };
  await open(unlabelled);
  assert.deepEqual(await page.locator('.emap .bar-value').allTextContents(), ['1.000', '0.333']);
  assert.deepEqual(await page.locator('.emap .notices li').allTextContents(), [notice]);
  assert.deepEqual(problems, []);
});
