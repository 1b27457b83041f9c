/**
 * The report of a real SigLIP analysis (test/fixtures/hf-siglip through the service), in headless Chromium: the
 * probability table says it is a sigmoid per pair, the header shows the trained bias read from model.onnx, and the
 * attention-pooling map is an overlay of its own whose cells are the analysis's pooling weights.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { InferenceService } from '../../src/inference/service';
import type { ReportData } from '../../src/shared/reportData';
import { launchChromium, openReport } from './reportPage';

const dir = join(__dirname, '../fixtures/hf-siglip');
const image = join(dir, 'noise_150x90.png');

let browser: Browser;
let data: ReportData;
before(async () => {
  browser = await launchChromium();
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  try {
    const result = await service.analyze({ images: [image], texts: ['a blue square', 'the cat on the left'], includeAttention: true });
    data = { result, images: [`data:image/png;base64,${readFileSync(image).toString('base64')}`] };
  } finally {
    await service.dispose();
  }
});
after(async () => {
  await browser?.close();
});

test('a SigLIP report: sigmoid per pair, its trained bias, and the attention-pooling map as an overlay', async () => {
  const { page, problems } = await openReport(browser, data);
  const captions = await page.locator('.score-table caption').allTextContents();
  assert.deepEqual(captions, ['Cosine similarity', 'Probability per pair (sigmoid of similarity x logit scale + bias)']);
  const facts = await page.locator('.facts').evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])));
  assert.equal(facts['Logit bias'], '\u22122.25');
  assert.equal(facts['Logit scale'], '7.5');
  const cells = await page.locator('.score-table').nth(1).locator('td').allTextContents();
  assert.deepEqual(cells, data.result.probabilities[0].map((p) => `${(p * 100).toFixed(1)}%`));
  const select = page.locator('.image-card select').first();
  const options = await select.locator('option').allTextContents();
  assert.ok(options.includes('Attention-pooling head (where the embedding looks)'), options.join(', '));
  await select.selectOption('pooling');
  assert.match((await page.locator('.image-card .legend-slot').first().textContent()) ?? '', /Attention-pooling head/);
  assert.deepEqual([problems.console, problems.pageErrors], [[], []]);
});
