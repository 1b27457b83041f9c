/**
 * The probe page's readings in headless Chromium (issue 18 item 16): every figure's section ends in a one-line
 * reading computed from its numbers and a link to its section of docs/methods.md; a standalone report links to the
 * page's file URL at GitHub's anchor, a VS Code panel asks the host to open the section (a message the host's
 * validator accepts) instead of navigating.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ablationReading, headingAnchor } from '../../src/shared/probeReadings';
import { messageProblem } from '../../src/shared/protocolValidators';
import { probeFixture, shareCell } from './probeFixture';
import { launchChromium, openReport } from './reportPage';

const DOC = 'file:///opt/mmlens/docs/methods.md';
const result = { ...probeFixture(), crossModalAttention: [[shareCell(0.5, 1), shareCell(0.2, -1)]] };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('each figure has a reading and a link to its docs section', async () => {
  const { page, problems } = await openReport(browser, { result, methodsDoc: DOC });
  const sections = await page.locator('section').evaluateAll((all) => all.map((s) => ({ cls: s.className, reading: s.querySelector('.probe-reading')?.textContent ?? null, href: s.querySelector<HTMLAnchorElement>('.probe-reading a')?.href ?? null })));
  const expected: Record<string, string> = {
    retrieval: 'Retrieval recall@k',
    'pair-scores': 'Dataset probes: does the model really combine the modalities?',
    emap: 'EMAP',
    perceptual: 'Perceptual score',
    ablation: 'Modality ablation',
    geometry: 'Two-tower geometry',
    'cross-modal': 'Cross-modal attention share (single-stream)',
  };
  assert.deepEqual(sections.map((s) => s.cls), Object.keys(expected));
  for (const s of sections) {
    assert.equal(s.href, `${DOC}#${headingAnchor(expected[s.cls])}`, s.cls);
    assert.ok(s.reading?.endsWith(`docs/methods.md: ${expected[s.cls]}`), s.reading ?? s.cls);
  }
  // The ablation's line is the reading of the fixture's own figures.
  assert.equal(sections.find((s) => s.cls === 'ablation')?.reading, `${ablationReading(result).text} docs/methods.md: Modality ablation`);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(await problems.violations(), []);
  await page.close();
});

test('in a panel a link asks the host to open the section and the page stays', async () => {
  const { page } = await openReport(browser, { result }, true);
  const url = page.url();
  await page.getByRole('link', { name: /Modality ablation/ }).click();
  const posted = await page.evaluate(() => (window as unknown as { posted: Record<string, unknown>[] }).posted);
  const open = posted.filter((m) => m.type === 'openMethodsDoc');
  assert.deepEqual(open, [{ type: 'openMethodsDoc', section: 'Modality ablation' }]);
  assert.equal(messageProblem(open[0]), null);
  assert.equal(page.url(), url);
  await page.close();
});
