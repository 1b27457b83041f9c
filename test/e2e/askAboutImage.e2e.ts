/**
 * End to end in a real VS Code on a generative model: the tiny LLaVA fixture (test/fixtures/tiny-llava) as the
 * model setting, "Ask About Image..." from the explorer opens the Ask panel at once with its prompt box. A first
 * question is stopped as soon as the host has started it (the page clicks Stop the moment it is enabled, while the
 * model loads): the answer keeps what was written and says it was stopped, short of the 64-token limit. Asked
 * again with occlusion maps, the answer streams in (each token shown on its own, all before the report) and then its
 * report renders: the tokens torch generated greedily (reference.json), each a button that opens its map and its
 * image share, the occlusion map, and the compare view. The image editor (Open With... > Multimodal Lens) shows the
 * image, says the model is generative instead of failing to rank labels, and has the command in its title bar, which
 * opens the panel on the editor's image. The Alignment Explorer takes the model too: the image added and a prompt
 * applied, its cell holds the answer torch wrote (reference.json), and the cell opens the Ask panel asking it there.
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { ARTIFACTS, useWorkbenchSession } from './session';
import { errorNotifications, explorerContextMenu, pickQuickItem, runCommand, webviewContent } from './workbench';

const FIXTURE = resolve('test/fixtures/tiny-llava');
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { steps: { id: number }[] };
const vocabulary = (JSON.parse(readFileSync(join(FIXTURE, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
const word = Object.fromEntries(Object.entries(vocabulary).map(([text, id]) => [id, text]));
/** The answer's token limit (src/providers/askPanel.ts); the random model never writes its end token. */
const LIMIT = 64;

/** Waits until the panel's status matches `pattern`, failing with the screen and any error shown. */
async function waitForStatus(page: Page, view: FrameLocator, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = (await view.locator('.ask-status').textContent().catch(() => null)) ?? '';
    if (pattern.test(status)) return status;
    const errors = [...(await errorNotifications(page)), ...(await view.locator('.ask-error').allTextContents().catch(() => []))].filter((e) => e !== '');
    if (errors.length > 0 || Date.now() > deadline) {
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-ask-error.png') });
      assert.fail(errors.length > 0 ? `${what} failed: ${errors.join(' / ')}` : `${what}: the status never matched ${pattern} (last: ${JSON.stringify(status)})`);
    }
    await page.waitForTimeout(100);
  }
}

describe('Multimodal Lens on a generative model in code-server', { timeout: 300_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    copyFileSync(join(FIXTURE, 'edges_51x37.png'), join(workspace, 'edges.png'));
  }, {}, { 'multimodalLens.model': FIXTURE, 'multimodalLens.executionProvider': 'cpu' });

  test('Ask About Image... opens the panel; Stop ends an answer as it streams; asked again it streams to its report', async () => {
    const { page } = session;
    await explorerContextMenu(page, 'edges.png', 'Ask About Image...');
    const view = webviewContent(page);
    await view.locator('.ask-panel').waitFor({ timeout: 60_000 });
    const prompt = view.getByLabel('Prompt', { exact: true });
    assert.equal(await prompt.inputValue(), 'Describe the image.');
    assert.ok((await view.locator('.ask-suggestions vscode-button').count()) >= 3, 'the suggested prompts are offered');

    // Armed before asking: the page clicks Stop the moment the host has started the answer (Stop is enabled), and
    // notes the time. Not at the first token: once loaded, the tiny model writes its 64 tokens in about 0.1 s, all
    // of them before a click on the first one gets back to the inference process. Strings are evaluated as expressions.
    await view.locator('.ask-panel').evaluate(`(() => {
      const panel = document.querySelector('.ask-panel');
      const stop = panel.querySelector('vscode-button[aria-label="Stop writing the answer"]');
      const status = panel.querySelector('.ask-status');
      window.stopTimes = {};
      new MutationObserver((changes, observer) => {
        if (stop.disabled) return;
        observer.disconnect();
        window.stopTimes.tokensAtClick = panel.querySelectorAll('.streamed-token').length;
        window.stopTimes.clicked = performance.now();
        stop.click();
        new MutationObserver(() => {
          if (status.textContent.startsWith('Stopped')) window.stopTimes.shown = performance.now();
        }).observe(status, { childList: true, characterData: true, subtree: true });
      }).observe(stop, { attributes: true, attributeFilter: ['disabled'] });
    })()`);
    await view.getByRole('button', { name: 'Ask the model about the image' }).click();
    const stopped = await waitForStatus(page, view, /^(Stopped after \d+ tokens?|Complete)/, 'the stopped answer');
    const times = await view.locator('.ask-panel').evaluate('window.stopTimes') as { tokensAtClick: number; clicked: number; shown: number };
    assert.match(stopped, /^Stopped/, `the answer was not stopped (Stop clicked: ${JSON.stringify(times)})`);
    const kept = Number(/^Stopped after (\d+)/.exec(stopped)![1]);
    console.log(`Stop clicked with ${times.tokensAtClick} token(s) shown; the answer stopped at ${kept} of at most ${LIMIT}, shown stopped ${(times.shown - times.clicked).toFixed(0)} ms after the click`);
    assert.ok(kept >= times.tokensAtClick && kept < LIMIT, `stopped at ${kept} tokens after the click at ${times.tokensAtClick}`);
    assert.match((await view.locator('.streamed-answer').textContent()) ?? '', /\[stopped\]$/);
    assert.equal(await view.locator('.streamed-token').count(), kept);
    assert.equal(await view.locator('.ask-report .token').count(), 0, 'a stopped answer has no report');

    await view.getByLabel(/^Occlusion maps too/).check();
    // Noted in the page: when each token showed, whether its map was drawn with it, and how many had shown when the
    // report began to render.
    await view.locator('.ask-panel').evaluate(`(() => {
      const panel = document.querySelector('.ask-panel');
      window.streaming = { shown: [], mapped: [], beforeReport: null };
      new MutationObserver(() => {
        const count = panel.querySelectorAll('.streamed-token').length;
        if (count <= window.streaming.shown.length) return;
        window.streaming.shown.push(performance.now());
        window.streaming.mapped.push(panel.querySelector('.streamed-map figcaption')?.textContent.includes('(token ' + (count - 1) + ',') ?? false);
      }).observe(panel.querySelector('.streamed-answer'), { childList: true });
      new MutationObserver((changes, observer) => {
        observer.disconnect();
        window.streaming.beforeReport = panel.querySelectorAll('.streamed-token').length;
        window.streaming.report = performance.now();
      }).observe(panel.querySelector('.ask-report'), { childList: true });
    })()`);
    await view.getByRole('button', { name: 'Ask the model about the image' }).click();
    await waitForStatus(page, view, /^Complete: /, 'the answer');
    const streaming = await view.locator('.ask-panel').evaluate('window.streaming') as { shown: number[]; mapped: boolean[]; beforeReport: number; report: number };
    console.log(`streamed: ${streaming.beforeReport} tokens shown over ${(streaming.shown.at(-1)! - streaming.shown[0]).toFixed(0)} ms in ${streaming.shown.length} updates, the report ${(streaming.report - streaming.shown.at(-1)!).toFixed(0)} ms after the last`);
    assert.equal(streaming.beforeReport, LIMIT, 'every token was shown before the report rendered');
    assert.equal(streaming.shown.length, LIMIT, 'each token arrived in a message of its own and showed on its own');
    assert.deepEqual(streaming.mapped, Array(LIMIT).fill(true), 'each token\'s map was drawn as it showed');
    const streamed = await view.locator('.streamed-token').allTextContents();
    const tokens = view.locator('.ask-report .answer .token');
    const texts = await tokens.allTextContents();
    assert.equal(texts.length, LIMIT);
    assert.deepEqual(streamed, texts, 'the streamed tokens are the report\'s');
    assert.deepEqual(texts.slice(0, 8).map((t) => t.trim()), reference.steps.map((s) => word[s.id]));
    await tokens.nth(2).click();
    assert.equal(await tokens.nth(2).getAttribute('aria-pressed'), 'true');
    assert.match((await view.locator('.token-detail .bar-chart svg').getAttribute('aria-label')) ?? '', /layer 0 \d+(\.\d)?%, layer 1 \d+(\.\d)?%/);
    assert.equal(await view.getByRole('region', { name: 'Compare two words' }).locator('canvas.overlay-map').count(), 2);
    await view.getByLabel('Map', { exact: true }).selectOption('perturbation');
    assert.match((await view.locator('.token-detail .legend-bar').getAttribute('aria-label')) ?? '', /^drop in log-probability when the patch is hidden/);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-ask.png') });
  });

  test('with a generative model the image editor shows its image and points to Ask About Image... in its title bar, which opens the panel on it', async () => {
    const { page } = session;
    await runCommand(page, 'View: Close All Editors');
    await explorerContextMenu(page, 'edges.png', 'Open With...');
    await pickQuickItem(page, 'Multimodal Lens');
    const note = await textInSomeFrame(page, '.editor .generative-note');
    assert.match(note ?? '', /^tiny-llava is a generative model: .*Ask About Image\.\.\. in this editor's title bar/);
    assert.ok(await textInSomeFrame(page, '.editor .overlay img[alt="edges.png"]') !== null, 'the editor shows the image');
    assert.deepEqual(await errorNotifications(page), [], 'no zero-shot error for a model that cannot score prompts');
    await page.locator('.editor-actions .action-label[aria-label="Ask About Image..."]').click({ timeout: 60_000 });
    await page.locator('.tab', { hasText: 'Lens ask: edges.png' }).waitFor({ timeout: 60_000 });
    assert.match(await textInSomeFrame(page, '.ask-panel .ask-header') ?? '', /Ask about edges\.png/, 'the Ask panel is on the editor\'s image');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-ask-from-editor.png') });
  });

  test('the Alignment Explorer with a generative model answers each prompt about each image; a cell asks it in the Ask panel', async () => {
    const { page } = session;
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Multimodal Lens: Open Alignment Explorer');
    const explorer = webviewContent(page);
    await explorer.locator('.matrix-section .note').waitFor({ timeout: 60_000 });
    await runCommand(page, 'View: Show Explorer');
    await explorerContextMenu(page, 'edges.png', 'Add Image to Alignment Explorer');
    await explorer.locator('.image-list .image-name', { hasText: 'edges.png' }).waitFor({ timeout: 60_000 });
    await explorer.locator('vscode-textarea textarea').fill('Describe the image.');
    await explorer.getByRole('button', { name: /^Apply the texts/ }).click();
    const cell = explorer.locator('.answer-cell:not(.pending)');
    await cell.waitFor({ timeout: 90_000 });
    const words = ((await cell.textContent()) ?? '').trim().split(/\s+/);
    assert.deepEqual(words.slice(0, reference.steps.length), reference.steps.map((s) => word[s.id]), 'the cell holds torch\'s greedy answer');
    assert.match((await explorer.locator('.text-inputs .control-label').first().textContent()) ?? '', /^Prompts, one per line/);
    assert.deepEqual(await errorNotifications(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-explorer-vlm.png') });
    await cell.click();
    await page.locator('.tab', { hasText: 'Lens ask: edges.png' }).waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 90_000;
    let status: string | null = null;
    while (!/^Complete: /.test(status ?? '') && Date.now() < deadline) status = await textInSomeFrame(page, '.ask-panel .ask-status');
    assert.match(status ?? '', /^Complete: /, 'the Ask panel asked the cell\'s prompt at once');
    const tokens = await textsInSomeFrame(page, '.ask-report .answer .token');
    assert.deepEqual(tokens.slice(0, reference.steps.length).map((t) => t.trim()), reference.steps.map((s) => word[s.id]));
  });
});

/** The texts of every element matching `selector` in the first of the page's frames that has one. */
async function textsInSomeFrame(page: Page, selector: string): Promise<string[]> {
  for (const frame of page.frames()) {
    const texts = await frame.locator(selector).allTextContents().catch(() => []);
    if (texts.length > 0) return texts;
  }
  return [];
}

/** The text of the first element matching `selector` in any of the page's frames (two webviews can be open), or null after a minute. */
async function textInSomeFrame(page: Page, selector: string): Promise<string | null> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const text = await frame.locator(selector).first().textContent({ timeout: 100 }).catch(() => null);
      if (text !== null) return text;
    }
    await page.waitForTimeout(250);
  }
  return null;
}
