/**
 * The analysis panel's map trust in headless Chromium (issue 18 item 14): for a single-stream result whose model
 * ships evaluate's figures, the panel offers RISE beside occlusion, prints each method's pointing game beside its
 * button and the shown map's figure under the image, cautions when the map shown misses more often than RISE,
 * posts a RISE request the host's validator accepts and shows the reply; a model without figures says "not
 * measured" and how to measure it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ReportData } from '../../src/shared/reportData';
import { NOT_MEASURED, type MapFaithfulness } from '../../src/shared/mapFaithfulness';
import { messageProblem } from '../../src/shared/protocolValidators';
import { GRID, reportFixture } from './reportFixture';
import { launchChromium, openReport } from './reportPage';

/** shapes-fusion's figures (models/shapes-fusion/evaluation.json). */
const FIGURES: MapFaithfulness = { file: 'evaluation.json', scenes: 50, seed: 2026, measured: { count: 125, of: 'objects' }, pointingGame: { rollout: 0.336, flow: null, alignment: 0.712, maskclip: null, values: null, occlusion: 0.608, rise: 0.952 } };

/** The webview fixture as a single-stream matcher's result, with or without measured figures. */
async function singleStream(figures?: MapFaithfulness): Promise<ReportData> {
  const data = await reportFixture();
  const model = { ...data.result.model, architecture: 'singleStream' as const, ...(figures ? { mapFaithfulness: figures } : {}) };
  return { ...data, result: { ...data.result, model, itm: [[0.9, 0.2]] }, overlay: 'alignment-0' };
}

let browser: Browser;
let page: Page;

before(async () => {
  browser = await launchChromium();
  ({ page } = await openReport(browser, await singleStream(FIGURES), true));
});
after(async () => {
  await browser?.close();
});

const posted = () => page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);

test('RISE is offered beside occlusion, each with the figure the model ships, and the alignment map is cautioned', async () => {
  assert.equal(await page.getByRole('button', { name: 'Compute occlusion' }).count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Compute RISE' }).count(), 1);
  assert.deepEqual(await page.locator('.method-figure').allTextContents(), ['finds the object in 60.8% on this model', 'finds the object in 95.2% on this model']);
  // Each figure wraps with its own button, so it never sits beside the other method's.
  const grouped = await page.locator('.method-choice').evaluateAll((groups) => groups.map((g) => [g.querySelector('vscode-button, button')?.textContent?.trim(), g.querySelector('.method-figure')?.textContent]));
  assert.deepEqual(grouped, [['Compute occlusion', 'finds the object in 60.8% on this model'], ['Compute RISE', 'finds the object in 95.2% on this model']]);
  const trust = page.locator('.map-trust');
  assert.match(await trust.textContent() ?? '', /^On this model the alignment map's maximum lies on the named object in 71\.2% of tests \(pointing game, mmlens evaluate on 50 shapes-world scenes, 125 objects, seed 2026\)\. It can miss the object: RISE found it in 95\.2%; compute RISE to check\./);
  assert.equal(await trust.evaluate((e) => e.classList.contains('caution')), true);
  // The rollout's figure when the rollout is shown.
  await page.getByLabel('Overlay', { exact: true }).selectOption('rollout');
  assert.match(await trust.textContent() ?? '', /rollout map's maximum lies on the named object in 33\.6%/);
});

test('Compute RISE posts a valid rise request; the reply becomes the overlay, and its reading has no caution', async () => {
  await page.getByLabel('Map for').selectOption('1');
  await page.getByRole('button', { name: 'Compute RISE' }).click();
  await page.waitForFunction(() => (window as unknown as { posted: unknown[] }).posted.length > 0);
  const [request] = await posted();
  assert.equal(messageProblem(request), null);
  assert.deepEqual({ type: request.type, image: request.image, text: request.text, method: request.method }, { type: 'computeOcclusion', image: 0, text: 1, method: 'rise' });
  await page.evaluate(({ requestId, grid }) => {
    const values = new Float32Array(grid.rows * grid.cols).fill(0.25);
    values[5] = 0.75;
    window.postMessage({ type: 'response', requestId, ok: true, body: { method: 'rise', rows: grid.rows, cols: grid.cols, values, score: 'ITM match probability', forwardPasses: 500 } }, '*');
  }, { requestId: request.requestId as number, grid: GRID });
  await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('.image-card select')?.value === 'rise-1');
  assert.match(await page.getByLabel('Overlay', { exact: true }).locator('option:checked').textContent() ?? '', /^RISE for ".*" \(mask-weighted ITM match probability, 500 forward passes\)$/);
  const trust = page.locator('.map-trust');
  assert.match(await trust.textContent() ?? '', /^On this model the RISE map's maximum lies on the named object in 95\.2% of tests .*Measured here: rollout 33\.6%, alignment 71\.2%, occlusion 60\.8%, RISE 95\.2%\.$/);
  assert.equal(await trust.evaluate((e) => e.classList.contains('caution')), false);
});

test('a model without figures: "not measured" beside each method and how to measure it under the map', async () => {
  const unmeasured = await openReport(browser, await singleStream(), true);
  assert.deepEqual(await unmeasured.page.locator('.method-figure').allTextContents(), ['not measured for this model', 'not measured for this model']);
  assert.equal(await unmeasured.page.locator('.map-trust').textContent(), NOT_MEASURED);
  assert.match(NOT_MEASURED, /mmlens evaluate --model DIR --json DIR\/evaluation\.json/);
  await unmeasured.page.close();
});

test('a standalone report shows the figures of the maps it holds, and no compute buttons', async () => {
  const standalone = await openReport(browser, await singleStream(FIGURES));
  assert.equal(await standalone.page.getByRole('button', { name: 'Compute RISE' }).count(), 0);
  // Without RISE to compute, the alignment map's better method on the page is none: no caution.
  assert.match(await standalone.page.locator('.map-trust').textContent() ?? '', /alignment map's maximum .* 71\.2% .*Measured here: rollout 33\.6%, alignment 71\.2%\.$/);
  await standalone.page.close();
});
