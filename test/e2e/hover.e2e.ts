/**
 * End to end in a real VS Code: the packaged .vsix in code-server, a Markdown file with an image link opened
 * from the explorer, and the mouse over the link: the hover must show the preview's text (title, caption,
 * top labels, model and provider) inside its visible box, its two overlay images decoded by the browser, and the
 * explorer link; with the bundled generative model selected, its description and one word's map.
 * Run by `npm run test:e2e` (tools/e2e/run.mjs), after `bash tools/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { THUMBNAIL_SIZE } from '../../src/hover/renderPreview';
import { ARTIFACTS, useWorkbenchSession } from './session';
const LINK = '![a red circle](scene-1.png)';

/** Opens `fileName` from the explorer and waits until the editor shows `text`. */
async function openFromExplorer(page: Page, fileName: string, text: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).click({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-line', { hasText: text }).waitFor({ timeout: 30_000 });
}

/**
 * Moves the mouse over the image link until the Multimodal Lens hover shows, and returns it. The first hover loads
 * the model, and the extension itself activates on the first hover; the mouse is nudged until the preview replaces
 * VS Code's "Loading..." (a hover that was hidden in between is asked again).
 */
async function showHover(page: Page): Promise<Locator> {
  const line = page.locator('.monaco-editor .view-line', { hasText: 'scene-1.png' });
  const hover = page.locator('.monaco-hover-content', { hasText: 'Multimodal Lens' });
  const deadline = Date.now() + 120_000;
  for (let nudge = 0; !(await hover.isVisible().catch(() => false)); nudge++) {
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-hover-timeout.png') });
      assert.fail('no Multimodal Lens hover appeared over the image link');
    }
    // The editor may re-render its lines (the element is replaced), so the line is found again each time.
    const box = await line.boundingBox().catch(() => null);
    if (box) await page.mouse.move(box.x + 40 + (nudge % 2) * 6, box.y + box.height / 2);
    await page.waitForTimeout(1_500);
  }
  return hover;
}

describe('Multimodal Lens hover previews in code-server', { timeout: 180_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    copyFileSync('media/samples/scene-1.png', join(workspace, 'scene-1.png'));
    writeFileSync(join(workspace, 'notes.md'), `# Notes\n\n${LINK}\n\nThe scene above.\n`);
  }, { 'editor.hover.delay': 100 });

  test('hovering a Markdown image link shows the caption, the labels, the model and the explorer link in view, then the overlays', async () => {
    const { page } = session;
    await openFromExplorer(page, 'notes.md', 'a red circle');
    const hover = await showHover(page);
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Multimodal Lens: scene-1\.png/);
    assert.match(text, /Caption: “a red circle” \(similarity -?\d\.\d{3}\)/);
    assert.match(text, /Top labels: red circle \d+\.\d% ·/);
    assert.match(text, /Model: shapes-clip on cpu/);
    const images = hover.locator('img[src^="data:image/png;base64,"]');
    assert.equal(await images.count(), 2);
    for (const image of await images.all()) {
      const width = await image.evaluate((img) => (img as HTMLImageElement).naturalWidth);
      assert.equal(width, THUMBNAIL_SIZE, 'an overlay image did not decode');
    }
    const link = hover.locator('a', { hasText: 'Open in Alignment Explorer' });
    assert.equal(await link.count(), 1);
    assert.match((await link.getAttribute('data-href')) ?? (await link.getAttribute('href')) ?? '', /^command:multimodalLens\.addToExplorer\?/);
    // The key facts lie inside the hover's visible box, unscrolled.
    // (No named helper inside evaluate: the test bundler's __name wrapper does not exist in the page.)
    const facts = ['Top labels:', 'Model: shapes-clip', 'Open in Alignment Explorer', 'Caption:'];
    const visible = await hover.evaluate((content, texts) => {
      const box = (content.closest('.monaco-hover') ?? content).getBoundingClientRect();
      return texts.map((text) => {
        const rect = [...content.querySelectorAll('p, a')].find((e) => e.textContent?.includes(text))?.getBoundingClientRect();
        return !!rect && rect.top >= box.top && rect.bottom <= box.bottom;
      });
    }, facts);
    assert.deepEqual(visible, facts.map(() => true), `in view: ${facts.map((f, i) => `${f} ${visible[i]}`).join(', ')}`);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-hover.png') });
  });
});

describe('a hover with the bundled generative model selected', { timeout: 180_000 }, () => {
  const session = useWorkbenchSession((workspace) => {
    copyFileSync('media/samples/scene-1.png', join(workspace, 'scene-1.png'));
    writeFileSync(join(workspace, 'notes.md'), `# Notes\n\n${LINK}\n`);
  }, { 'editor.hover.delay': 100 }, { 'multimodalLens.model': 'shapes-vlm' });

  test("shows the model's description of the image and the map of its most image-grounded word", async () => {
    const { page } = session;
    await openFromExplorer(page, 'notes.md', 'a red circle');
    const hover = await showHover(page);
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Model: shapes-vlm on cpu/);
    assert.match(text, /Description: “[a-z][^”]*”/);
    assert.match(text, /Most image-grounded word: “[a-z]+” \(\d+\.\d% of its attention on the image, mean over layers\)/);
    const image = hover.locator('img[src^="data:image/png;base64,"]');
    assert.equal(await image.count(), 1);
    assert.equal(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth), THUMBNAIL_SIZE);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-hover-vlm.png') });
  });
});
