/**
 * End to end in a real VS Code: "Rank Attention Heads..." from the explorer on a sample scene with the demo CLIP,
 * the stream picked from the quick pick, and the layer x head grid read from the panel's webview. The demo model's
 * vision tower leans on one head for "a red circle" on scene 1 (docs/methods.md, "Head ablation": layer 3 head 3).
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { answerInputBox, errorNotifications, explorerContextMenu, pickQuickItem, webviewContent } from './workbench';

describe('Rank Attention Heads in code-server', { timeout: 180_000 }, () => {
  const session = useWorkbenchSession((workspace) => copyFileSync('media/samples/scene-1.png', join(workspace, 'scene-1.png')));

  test('the vision tower\'s grid: a row per layer, a cell per head and the whole layer, its largest drop at layer 3 head 3', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'scene-1.png', 'Rank Attention Heads...');
    await answerInputBox(page, 'a red circle');
    await pickQuickItem(page, 'vision');
    const grid = webviewContent(page).locator('table.heads-grid');
    const deadline = Date.now() + 90_000;
    while (!(await grid.isVisible().catch(() => false))) {
      const errors = await errorNotifications(page);
      if (errors.length > 0) assert.fail(`ranking the heads failed: ${errors.join(' / ')}`);
      if (Date.now() > deadline) assert.fail('the heads panel never showed its grid');
      await page.waitForTimeout(500);
    }
    const rows = grid.locator('tbody tr');
    assert.equal(await rows.count(), 4);
    const labels = await grid.locator('td').evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''));
    assert.equal(labels.length, 4 * 5);
    const heads = labels.filter((label) => / head \d+: drop /.test(label));
    const drop = (label: string) => Number(/drop (-?[\d.]+)/.exec(label)![1]);
    const top = heads.reduce((a, b) => (drop(b) > drop(a) ? b : a));
    assert.match(top, /^layer 3 head 3: drop 0\.3/);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-heads.png') });
  });
});
