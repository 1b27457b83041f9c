/**
 * End to end in a real VS Code: the packaged .vsix installed in code-server, "Analyze Image..." run from the
 * explorer's context menu on a sample scene, the probability table read from the analysis panel's webview,
 * an occlusion map computed from the panel, and the execution provider switched to cpu from the status bar item. One code-server start serves every check.
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { machineSettingsFile } from './codeServer';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { answerInputBox, errorNotifications, explorerContextMenu, pickQuickItem, quickInput, runCommand, webviewContent } from './workbench';

const TEXTS = ['a red circle', 'a blue square'];

/** "99.9%" -> 0.999 */
function percent(text: string): number {
  const value = Number.parseFloat(text.replace('%', '')) / 100;
  assert.ok(Number.isFinite(value), `not a percentage: ${text}`);
  return value;
}

/** One user setting as VS Code saved it; undefined while the file is absent or half written. */
function storedSetting(file: string, key: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `e2e-${name}.png`) });
}

describe('Multimodal Lens in code-server', { timeout: 180_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    copyFileSync('media/samples/scene-1.png', join(workspace, 'scene-1.png'));
    copyFileSync('media/samples/scene-2.png', join(workspace, 'scene-2.png'));
    writeFileSync(join(workspace, 'notes.md'), '# Notes\n\nThe scene shows a red circle.\n');
  });

  test('Analyze Image... from the explorer shows the scores in the analysis panel', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'scene-1.png', 'Analyze Image...');
    // The box suggests the labels the model ranks highest on this scene (its red circle among them), in the model's template.
    const box = quickInput(page).locator('input');
    await box.waitFor({ timeout: 30_000 });
    const suggested = (await box.inputValue()).split(' | ');
    assert.equal(suggested.length, 3, suggested.join(' | '));
    assert.ok(suggested.includes('a red circle'), `suggested: ${suggested.join(' | ')}`);
    await answerInputBox(page, TEXTS.join(' | '));
    const view = webviewContent(page);
    const table = view.locator('table.score-table', { has: view.locator('caption', { hasText: 'Probability over texts' }) });
    // Wait for the table, or stop early with the error the extension showed instead.
    const deadline = Date.now() + 90_000;
    while (!(await table.isVisible().catch(() => false))) {
      const errors = await errorNotifications(page);
      if (errors.length > 0) {
        await shot(page, 'analysis-error');
        assert.fail(`the analysis failed: ${errors.join(' / ')}`);
      }
      if (Date.now() > deadline) {
        await shot(page, 'analysis-timeout');
        assert.fail('the analysis panel never showed its probability table');
      }
      await page.waitForTimeout(500);
    }
    const columns = await table.locator('thead th.col').allTextContents();
    assert.deepEqual(columns, TEXTS);
    const values = (await table.locator('tbody tr').first().locator('td').allTextContents()).map(percent);
    assert.equal(values.length, TEXTS.length);
    assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 0.01, `probabilities ${values} do not sum to 1`);
    const top = values.indexOf(Math.max(...values));
    assert.equal(columns[top], 'a red circle', `top text is "${columns[top]}" (${values})`);
    // The layer lens of the demo CLIP's four vision layers; its last layer is the model's own result.
    const lens = view.locator('.layer-lens table');
    assert.deepEqual(await lens.locator('tbody th').allTextContents(), ['layer 0', 'layer 1', 'layer 2', 'layer 3']);
    const lastLayer = (await lens.locator('tbody tr').last().locator('td').allTextContents()).map(percent);
    lastLayer.forEach((v, i) => assert.ok(Math.abs(v - values[i]) < 0.002, `layer 3 lens ${lastLayer} against the scores ${values}`));
    await shot(page, 'analysis');
  });

  test('Compute occlusion in the panel adds the occlusion map of the chosen text as the overlay', async () => {
    const { page } = session;
    const view = webviewContent(page);
    await view.getByRole('button', { name: 'Compute occlusion' }).click();
    const overlay = view.locator('.image-card select').first();
    const deadline = Date.now() + 90_000;
    while ((await overlay.inputValue()) !== 'occlusion-0') {
      const failed = await view.locator('.occlusion-status').textContent();
      if (failed) assert.doesNotMatch(failed, /failed/, failed);
      if (Date.now() > deadline) assert.fail('no occlusion overlay appeared');
      await page.waitForTimeout(500);
    }
    assert.match(await overlay.locator('option:checked').textContent() ?? '', /^Occlusion for "a red circle" \(drop of the cosine similarity, 65 forward passes\)$/);
    await shot(page, 'occlusion');
  });

  test('a second analysis opens as a tab in the first one\'s group, not in a new split', async () => {
    const { page } = session;
    const groups = page.locator('.editor-group-container');
    const before = await groups.count();
    const tabs = page.locator('.tab', { hasText: 'Lens: scene-1.png' });
    assert.equal(await tabs.count(), 1);
    await explorerContextMenu(page, 'scene-1.png', 'Analyze Image...');
    await quickInput(page).locator('input').waitFor({ timeout: 30_000 });
    await answerInputBox(page, TEXTS.join(' | '));
    await page.waitForFunction(() => document.querySelectorAll('.tab').length > 0 && [...document.querySelectorAll('.tab')].filter((t) => t.textContent?.includes('Lens: scene-1.png')).length === 2, undefined, { timeout: 90_000 });
    assert.equal(await groups.count(), before, 'no new editor group');
    await shot(page, 'analysis-second');
  });

  test('Open With... Multimodal Lens starts on the label the model ranks first, with its map and score', async () => {
    const { page } = session;
    await runCommand(page, 'View: Close All Editors');
    await explorerContextMenu(page, 'scene-2.png', 'Open With...');
    await pickQuickItem(page, 'Multimodal Lens');
    const view = webviewContent(page);
    const score = view.locator('.model-facts .score');
    await score.waitFor({ timeout: 90_000 });
    // scene-2 holds an orange square alone, not the first label of the list (red circle).
    assert.match((await score.textContent()) ?? '', /^Cosine similarity with "[^"]*orange square[^"]*": -?\d\.\d{3}$/);
    assert.equal(await view.getByLabel('Overlay', { exact: true }).inputValue(), 'alignment');
    await shot(page, 'editor-first-view');
  });

  test('the status bar item switches the execution provider to cpu, stored in the machine settings', async () => {
    const { page } = session;
    const status = page.locator('.statusbar-item', { hasText: 'shapes-clip' });
    await status.click({ timeout: 30_000 });
    await quickInput(page).locator('.monaco-list-row', { hasText: 'Select Execution Provider' }).click({ timeout: 15_000 });
    await pickQuickItem(page, 'cpu');
    const deadline = Date.now() + 15_000;
    let stored: unknown;
    while (stored !== 'cpu' && Date.now() < deadline) {
      await page.waitForTimeout(250);
      stored = storedSetting(machineSettingsFile(session.folders), 'multimodalLens.executionProvider');
    }
    await shot(page, 'provider');
    assert.equal(stored, 'cpu');
    await page.locator('.statusbar-item', { hasText: /shapes-clip.*cpu/ }).waitFor({ timeout: 15_000 });
  });
});
