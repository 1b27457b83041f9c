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
import { PROBE_SCHEMA_VERSION, type ProbeResult, type ShareCell } from '../../src/shared/probeResult';
import { canvasPixels, launchChromium, type Rgb } from './reportPage';

const XSS_CAPTION = '<img src=x onerror=alert(1)>';
const VIRIDIS_MIN: Rgb = [68, 1, 84];
const VIRIDIS_MAX: Rgb = [253, 231, 37];

const side = (score: number) => ({ scores: [score, score, score], drop: [0.1, 0.2, 0.3], meanDrop: 0.2 });
const cell = (v: number, z: number): ShareCell => ({ textToImage: v, imageToText: v / 2, within: 1 - v, z: { textToImage: z, imageToText: -z, within: 0 } });

const result: ProbeResult = {
  schemaVersion: PROBE_SCHEMA_VERSION,
  kind: 'probe',
  model: { name: 'fixture', architecture: 'twoTower', executionProvider: 'cpu', notices: ['A notice'] },
  manifest: { path: 'set.jsonl', format: 'jsonl', pairs: 3, limit: 500, limited: false, labelled: true, missingImages: { count: 1, examples: ['line 2: gone.png'] } },
  pairs: [{ image: '/a/red.png', caption: 'a red circle', label: 1 }, { image: '/a/blue.png', caption: XSS_CAPTION, label: 0 }, { image: '/a/green.png', caption: 'a green square', label: 1 }],
  scoreKind: 'cosine',
  // The maximum at [0][2], the minimum at [2][0].
  scores: [[0.2, 0.1, 0.9], [0.3, 0.4, 0.5], [-0.5, 0.0, 0.6]],
  retrieval: { imageToText: { r1: 0.5, r5: 1, r10: 1 }, textToImage: { r1: 0.25, r5: 1, r10: 1 }, queries: { imageToText: 2, textToImage: 2 } },
  emap: { metric: 'accuracy', full: 1, additive: 0.5, threshold: 0.3, auc: { full: 1, additive: 0.25 } },
  perceptualScore: { metric: 'accuracy', full: 1, image: 0.4, text: 0.2, permuted: { image: [0.6, 0.6], text: [0.8, 0.8] }, seed: 7 },
  ablation: { matched: [0.2, 0.4, 0.6], emptyText: side(0.1), meanImage: side(0.2) },
  geometry: { modalityGap: 0.75, alignment: 1.25, uniformity: { image: -2, text: null }, pca: { explainedVarianceRatio: [0.6, 0.3], images: [[-1, 0], [-1, 1], [-1, -1]], texts: [[1, 0], [1, 1], [1, -1]] } },
  timings: { towers: 5 },
};

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
  const single: ProbeResult = { ...result, geometry: undefined, scoreKind: 'itmLogOdds', crossModalAttention: [[cell(0.25, 1), cell(0.75, -1)]], model: { ...result.model, architecture: 'singleStream' } };
  await open(single);
  assert.equal(await page.locator('h2').last().textContent(), 'Cross-modal attention');
  assert.deepEqual(await page.locator('.share-tables table').first().locator('td').allTextContents(), ['0.25', '0.75']);
  await page.selectOption('.cross-modal select', 'z');
  assert.deepEqual(await page.locator('.share-tables caption').allTextContents(), ['Text → image (z-score)', 'Image → text (z-score)', 'Within modality (z-score)']);
  assert.deepEqual(await page.locator('.share-tables table').first().locator('td').allTextContents(), ['+1.0', '\u22121.0']);
  assert.deepEqual(problems, []);
});
