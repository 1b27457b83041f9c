/**
 * The probe report's MM-SHAP section (dist/webview/probe.js in headless Chromium) on a hand-made result: the mean
 * T-SHAP and V-SHAP bars, the shares by label, the departures from the authors as notices; no section without it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { buildHtmlReport } from '../../src/cli/htmlReport';
import { readReportAssets } from '../../src/cli/reportAssets';
import type { ProbeResult } from '../../src/shared/probeResult';
import { probeFixture } from './probeFixture';
import { launchChromium } from './reportPage';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function open(data: ProbeResult) {
  const file = join(mkdtempSync(join(tmpdir(), 'mmlens-probe-mmshap-')), 'probe.html');
  writeFileSync(file, buildHtmlReport({ result: data }, await readReportAssets('.', 'probe')));
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

test('MM-SHAP: the shares as bars, by label, with the departures', async () => {
  const result: ProbeResult = {
    ...probeFixture(),
    mmShap: {
      score: 'ITM match probability', tShap: [0.7, 0.5, 0.6], pairs: 3, mean: 0.6, std: Math.sqrt(2 / 300),
      byLabel: { matching: { mean: 0.65, std: 0.05 }, nonMatching: { mean: 0.5, std: 0 } },
      settings: { grid: null, imageFill: 'mean', maskId: 2, evaluations: null, seed: 0 },
      departures: ['Hidden tokens become id 2 (the tokenizer\'s pad token), where the authors\' code writes id 0; --text-mask 0 gives theirs.'],
      forwardPasses: 600,
    },
  };
  const { page, problems } = await open(result);
  assert.ok((await page.locator('h2').allTextContents()).includes('MM-SHAP: how much of each prediction comes from each modality'));
  assert.deepEqual(await page.locator('.mm-shap .bar-value').allTextContents(), ['0.600', '0.400', '0.650', '0.500']);
  assert.match(await page.locator('.mm-shap').innerText(), /first 3 pairs.*T-SHAP 0\.600 ± 0\.082/s);
  assert.match(await page.locator('.mm-shap').innerText(), /Departs from the authors: Hidden tokens become id 2/);
  assert.deepEqual(problems, []);
  const without = await open(probeFixture());
  assert.equal(await without.page.locator('.mm-shap').count(), 0);
});
