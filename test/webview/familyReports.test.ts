/**
 * Reports of real analyses of the Hugging Face fixtures (through the service), in headless Chromium. SigLIP: the
 * probability table says it is a sigmoid per pair, the header shows the trained bias read from model.onnx, and the
 * attention-pooling map is an overlay of its own. BLIP: the architecture is cross-attention, the tables are the
 * matching head's, and each text's cross-attention map is an overlay.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { InferenceService } from '../../src/inference/service';
import type { ReportData } from '../../src/shared/reportData';
import { launchChromium, openReport } from './reportPage';

const TEXTS = ['a blue square', 'the cat on the left'];

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** The report data of an analysis of one fixture image with TEXTS by the model in test/fixtures/`fixture`. */
async function fixtureReport(fixture: string): Promise<ReportData> {
  const dir = join(__dirname, '../fixtures', fixture);
  const image = join(dir, 'noise_150x90.png');
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  try {
    const result = await service.analyze({ images: [image], texts: TEXTS, includeAttention: true });
    return { result, images: [`data:image/png;base64,${readFileSync(image).toString('base64')}`] };
  } finally {
    await service.dispose();
  }
}

test('a SigLIP report: sigmoid per pair, its trained bias, and the attention-pooling map as an overlay', async () => {
  const data = await fixtureReport('hf-siglip');
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

test('a BLIP report: cross-attention, the matching head\'s tables, and each text\'s cross-attention map as an overlay', async () => {
  const data = await fixtureReport('hf-blip');
  const { page, problems } = await openReport(browser, data);
  const facts = await page.locator('.facts').evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])));
  assert.equal(facts.Architecture, 'cross-attention');
  const captions = await page.locator('.score-table caption').allTextContents();
  assert.deepEqual(captions, ['Match log-odds (ITM logit of match minus no match)', 'Probability over texts (softmax of the match log-odds)', 'Image-text match probability']);
  const itm = await page.locator('.score-table').nth(2).locator('td').allTextContents();
  assert.deepEqual(itm, data.result.itm![0].map((p) => `${(p * 100).toFixed(1)}%`));
  const options = await page.locator('.image-card select').first().locator('option').allTextContents();
  assert.ok(TEXTS.every((text) => options.includes(`Cross-attention of "${text}"`)), options.join(', '));
  assert.deepEqual([problems.console, problems.pageErrors], [[], []]);
});
