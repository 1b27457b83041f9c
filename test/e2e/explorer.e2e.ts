/**
 * End to end in a real VS Code: the packaged .vsix in code-server, the Alignment Explorer opened from the
 * palette, two sample scenes added from the explorer's context menu, two texts applied in the view, and the
 * 2 x 2 matrix read from the view's webview: each scene scores highest with the text that describes it, and the view
 * fits the sidebar's width (no sideways scroll, the legend inside).
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { errorNotifications, explorerContextMenu, runCommand, webviewContent } from './workbench';
// media/samples/truth.json: scene-1 holds one red circle, scene-2 one orange square.
const SCENES = ['scene-1.png', 'scene-2.png'];
const TEXTS = ['a red circle', 'a orange square'];

/** Waits until `ready` holds, or fails early with the error the extension showed. */
async function waitFor(page: Page, what: string, ready: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready().catch(() => false))) {
    const errors = await errorNotifications(page);
    if (errors.length > 0) {
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-explorer-error.png') });
      assert.fail(`${what}: the extension showed ${errors.join(' / ')}`);
    }
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-explorer-timeout.png') });
      assert.fail(`${what}: timed out`);
    }
    await page.waitForTimeout(500);
  }
}

describe('the Alignment Explorer in code-server', { timeout: 240_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    for (const scene of SCENES) copyFileSync(join('media/samples', scene), join(workspace, scene));
  });
  let view: FrameLocator;

  test('Open Alignment Explorer shows the view, which asks for images and texts', async () => {
    const { page } = session;
    await runCommand(page, 'Multimodal Lens: Open Alignment Explorer');
    view = webviewContent(page);
    await view.locator('.matrix-section .note').waitFor({ timeout: 60_000 });
    assert.match((await view.locator('.matrix-section .note').textContent()) ?? '', /^Add images/);
  });

  test('two scenes added from the context menu and two texts give a 2 x 2 matrix with matching pairs highest', async () => {
    const { page } = session;
    // The explorer view of the workbench is hidden by the Lens view; bring the file explorer back for each right-click.
    for (const scene of SCENES) {
      await runCommand(page, 'View: Show Explorer');
      await explorerContextMenu(page, scene, 'Add Image to Alignment Explorer');
      await waitFor(page, `adding ${scene}`, async () => (await view.locator('.image-list .image-name').allTextContents()).includes(scene));
    }
    await view.locator('vscode-textarea textarea').fill(TEXTS.join('\n'));
    await view.getByRole('button', { name: 'Apply the texts and compute the matrix' }).click();
    await waitFor(page, 'the matrix', async () => (await view.locator('.cell').count()) === 4);
    assert.deepEqual(await view.locator('.row-head .sort-button').allTextContents(), SCENES);
    assert.deepEqual(await view.locator('.col-head .sort-button').allTextContents(), TEXTS);
    const values = (await view.locator('.cell').allTextContents()).map((t) => Number.parseFloat(t.replace('\u2212', '-')));
    assert.ok(values.every(Number.isFinite), `cells ${values}`);
    assert.ok(values[0] > values[1], `scene-1: "a red circle" ${values[0]} should beat "a orange square" ${values[1]}`);
    assert.ok(values[3] > values[2], `scene-2: "a orange square" ${values[3]} should beat "a red circle" ${values[2]}`);
    // In the sidebar's own width (about 300 px): the page does not scroll sideways, and the legend ends inside it.
    const fit = await view.locator('body').evaluate(() => {
      const max = document.querySelector('.matrix-section .legend .legend-max')!.getBoundingClientRect();
      return { width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth, legendEnd: max.right };
    });
    assert.ok(fit.width <= 320, `the view is ${fit.width} px wide, not a sidebar's`);
    assert.ok(fit.scroll <= fit.width, `the view scrolls sideways (${fit.scroll} > ${fit.width} px)`);
    assert.ok(fit.legendEnd <= fit.width, `the legend ends at ${fit.legendEnd} px, past the ${fit.width} px view`);
    await view.locator('.cell').first().click();
    await view.locator('.pair-view').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-explorer.png') });
  });
});
