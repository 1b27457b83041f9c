/**
 * End to end in a real VS Code on a model that is not CLIP: the Hugging Face SigLIP fixture (test/fixtures/hf-siglip,
 * towers with pooler_output, the one-graph model.onnx beside them) as the model setting, "Analyze Image..." from the
 * explorer, and the analysis panel's sigmoid table and attention-pooling overlay read from its webview.
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { answerInputBox, errorNotifications, explorerContextMenu, webviewContent } from './workbench';

const FIXTURE = resolve('test/fixtures/hf-siglip');
const TEXTS = ['a blue square', 'the cat on the left'];

describe('Multimodal Lens on a SigLIP model in code-server', { timeout: 180_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    copyFileSync(join(FIXTURE, 'noise_150x90.png'), join(workspace, 'noise.png'));
  }, {}, { 'multimodalLens.model': FIXTURE, 'multimodalLens.executionProvider': 'cpu' });

  test('Analyze Image... shows per-pair sigmoid probabilities and the attention-pooling map', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'noise.png', 'Analyze Image...');
    await answerInputBox(page, TEXTS.join(' | '));
    const view = webviewContent(page);
    const table = view.locator('table.score-table', { has: view.locator('caption', { hasText: 'Probability per pair (sigmoid' }) });
    const deadline = Date.now() + 90_000;
    while (!(await table.isVisible().catch(() => false))) {
      const errors = await errorNotifications(page);
      if (errors.length > 0 || Date.now() > deadline) {
        await page.screenshot({ path: join(ARTIFACTS, 'e2e-siglip-error.png') });
        assert.fail(errors.length > 0 ? `the analysis failed: ${errors.join(' / ')}` : 'the panel never showed the sigmoid table');
      }
      await page.waitForTimeout(500);
    }
    assert.deepEqual(await table.locator('thead th.col').allTextContents(), TEXTS);
    const values = (await table.locator('tbody tr').first().locator('td').allTextContents()).map((t) => Number.parseFloat(t) / 100);
    assert.equal(values.length, 2);
    assert.ok(values.every((v) => v > 0 && v < 1) && Math.abs(values[0] + values[1] - 1) > 0.01, `independent sigmoids, not a softmax: ${values}`);
    const overlay = view.locator('.image-card select').first();
    await overlay.selectOption('pooling');
    assert.match((await view.locator('.image-card .legend-slot').first().textContent()) ?? '', /Attention-pooling head/);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-siglip.png') });
  });
});
