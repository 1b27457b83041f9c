/**
 * End to end in a real VS Code: "Evaluate Map Methods on Dataset..." from the explorer's context menu on a phrases
 * manifest of the sample scenes (boxes from media/samples/truth.json), the default methods and case limit accepted,
 * the table of the evaluation page read (a row per method, its pointing and energy), and a worst case opened in the
 * analysis panel with its box outlined; Analyze Image... under the alignment.method setting. Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { answerInputBox, errorNotifications, explorerContextMenu, quickInput, webviewContent } from './workbench';

interface SampleTruth {
  file: string;
  objects: { colour: string; shape: string; box: { x: number; y: number; size: number } }[];
}

const SCENES = ['scene-1.png', 'scene-3.png', 'scene-4.png'];

describe('Evaluate Map Methods on Dataset... in code-server', { timeout: 240_000 }, () => {
  const truth = (JSON.parse(readFileSync('media/samples/truth.json', 'utf8')) as SampleTruth[]).filter((t) => SCENES.includes(t.file));
  const cases = truth.reduce((n, t) => n + t.objects.length, 0);
  const session = useWorkbenchSession((workspace) => {
    for (const scene of SCENES) copyFileSync(join('media/samples', scene), join(workspace, scene));
    const lines = truth.flatMap((t) => t.objects.map((o) => JSON.stringify({ image: t.file, text: `a ${o.colour} ${o.shape}`, boxes: [[o.box.x, o.box.y, o.box.x + o.box.size, o.box.y + o.box.size]] })));
    writeFileSync(join(workspace, 'phrases.jsonl'), `${lines.join('\n')}\n`);
  }, { 'multimodalLens.alignment.method': 'values' });

  test('the page shows a row per default method over every case, and a worst case opens in the analysis panel with its box', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'phrases.jsonl', 'Evaluate Map Methods on Dataset...');
    // The methods: the one-pass ones are ticked; accept them.
    const picker = quickInput(page);
    await picker.locator('.monaco-list-row', { hasText: 'rollout' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await answerInputBox(page, '100');
    const view = webviewContent(page);
    const table = view.locator('table.evaluation-table');
    const deadline = Date.now() + 120_000;
    while (!(await table.isVisible().catch(() => false))) {
      const errors = await errorNotifications(page);
      if (errors.length > 0) assert.fail(`the evaluation failed: ${errors.join(' / ')}`);
      if (Date.now() > deadline) {
        await page.screenshot({ path: join(ARTIFACTS, 'e2e-evaluation-timeout.png') });
        assert.fail('the evaluation page never showed its table');
      }
      await page.waitForTimeout(500);
    }
    const methods = await table.locator('tbody th').allTextContents();
    assert.deepEqual(methods, ['rollout', 'flow', 'alignment', 'maskclip', 'values', 'clearclip']);
    assert.match(await view.locator('.facts').textContent() ?? '', new RegExp(`${cases} in ${SCENES.length} images`));
    // The demo CLIP's patch alignment finds the named object on the samples.
    const alignment = await table.locator('tbody tr', { has: view.locator('th', { hasText: /^alignment$/ }) }).locator('td').allTextContents();
    assert.ok(Number.parseFloat(alignment[0]) >= 50, `alignment pointing ${alignment[0]}`);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-evaluation.png') });
    const first = view.locator('.worst-cases li').first();
    const text = /"([^"]+)"/.exec(await first.textContent() ?? '')![1];
    await first.locator('.open-case').click();
    await page.locator('.tab', { hasText: /Lens: scene-\d\.png/ }).waitFor({ timeout: 90_000 });
    // The analysis panel opens beside the evaluation page: the newest webview.
    const analysis = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await analysis.locator('table.score-table thead th.col', { hasText: text }).first().waitFor({ timeout: 60_000 });
    // The case's box from the manifest is outlined on the image (dark and light), and the page says so.
    assert.equal(await analysis.locator('.image-card .truth-boxes').textContent(), "Outlined: the manifest's box for this case.");
    assert.equal(await analysis.locator('.image-card .overlay-boxes rect').count(), 2);
    // A rollout case's alignment maps are the patch tokens', whatever the alignment.method setting says.
    const overlays = await analysis.locator('.image-card select').first().locator('option').allTextContents();
    assert.ok(overlays.includes(`Alignment with "${text}"`) && !overlays.some((o) => o.startsWith('Value-path')), overlays.join(' / '));
    // A MaskCLIP worst case opens on MaskCLIP's own map, not the default patch-token map.
    const evaluation = page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
    await evaluation.locator('.worst-cases h3:text-is("maskclip") + ol li .open-case').first().click();
    await page.locator('.tab', { hasText: /Lens: scene-\d\.png/ }).nth(1).waitFor({ timeout: 90_000 });
    const newest = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    const shown = newest.locator('.image-card select').first().locator('option:checked');
    await shown.filter({ hasText: /^MaskCLIP alignment with "/ }).waitFor({ state: 'attached', timeout: 60_000 });
  });

  test('Analyze Image... makes its alignment maps as the alignment.method setting says', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'scene-1.png', 'Analyze Image...');
    await quickInput(page).locator('input').waitFor({ timeout: 30_000 });
    await answerInputBox(page, 'a red circle');
    const newest = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
    await newest.locator('.image-card select').first().locator('option', { hasText: 'Value-path alignment with "a red circle"' }).waitFor({ state: 'attached', timeout: 90_000 });
  });
});
