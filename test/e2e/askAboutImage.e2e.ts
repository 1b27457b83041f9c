/**
 * End to end in a real VS Code on a generative model: the tiny LLaVA fixture (test/fixtures/tiny-llava) as the
 * model setting, "Ask About Image..." from the explorer with its default prompt, and the answer panel's webview
 * read: the tokens torch generated greedily (reference.json), each a button that opens its map and its image share.
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { answerInputBox, errorNotifications, explorerContextMenu, webviewContent } from './workbench';

const FIXTURE = resolve('test/fixtures/tiny-llava');
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { steps: { id: number }[] };
const vocabulary = (JSON.parse(readFileSync(join(FIXTURE, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
const word = Object.fromEntries(Object.entries(vocabulary).map(([text, id]) => [id, text]));

describe('Multimodal Lens on a generative model in code-server', { timeout: 180_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    copyFileSync(join(FIXTURE, 'edges_51x37.png'), join(workspace, 'edges.png'));
  }, {}, { 'multimodalLens.model': FIXTURE, 'multimodalLens.executionProvider': 'cpu' });

  test('Ask About Image... writes the answer and opens it with a map per token', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'edges.png', 'Ask About Image...');
    await answerInputBox(page, 'Describe the image.');
    const view = webviewContent(page);
    const tokens = view.locator('.answer .token');
    const deadline = Date.now() + 90_000;
    while (!(await tokens.first().isVisible().catch(() => false))) {
      const errors = await errorNotifications(page);
      if (errors.length > 0 || Date.now() > deadline) {
        await page.screenshot({ path: join(ARTIFACTS, 'e2e-ask-error.png') });
        assert.fail(errors.length > 0 ? `the generation failed: ${errors.join(' / ')}` : 'the answer panel never showed its tokens');
      }
      await page.waitForTimeout(500);
    }
    // The random model never writes its end token: 64 tokens, the first eight torch's greedy ones.
    const texts = await tokens.allTextContents();
    assert.equal(texts.length, 64);
    assert.deepEqual(texts.slice(0, 8).map((t) => t.trim()), reference.steps.map((s) => word[s.id]));
    await tokens.nth(2).click();
    assert.equal(await tokens.nth(2).getAttribute('aria-pressed'), 'true');
    assert.match((await view.locator('.bar-chart svg').getAttribute('aria-label')) ?? '', /layer 0 \d+(\.\d)?%, layer 1 \d+(\.\d)?%/);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-ask.png') });
  });
});
