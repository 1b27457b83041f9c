/**
 * The built image editor (dist/webview/editor.js) in headless Chromium with a stand-in VS Code: the ready
 * handshake, the overlay pixels of the alignment and rollout maps, the opacity slider and prompt box by
 * keyboard, hostile prompts and file names kept as text, the PNG export, and the state restored from
 * vscode.setState.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import type { AnalysisResult } from '../../src/shared/analysisResult';
import { modelInfo, pairMaps } from '../../src/shared/explorerData';
import { respond, type EditorData } from '../../src/shared/protocol';
import { messageProblem } from '../../src/shared/protocolValidators';
import { openWebview, setTheme, solidPng, XSS, type Webview } from './explorerHarness';
import { canvasAlphas, canvasPixels, closeColour, launchChromium, type Rgb } from './reportPage';

const VIRIDIS_MAX: Rgb = [253, 231, 37];
const SIZE = 384; // the editor's overlay, CSS px (= canvas px at device scale 1)

// A 4 x 4 grid: alignment hot at patch 5 (row 1, col 1), rollout hot at patch 14 (row 3, col 2).
const oneHot = (hot: number) => Float32Array.from({ length: 16 }, (_, k) => (k === hot ? 1 : 0));
const data: EditorData = {
  image: { path: `/w/${XSS}.png`, name: `${XSS}.png`, preview: solidPng(32, 32, [128, 128, 128]) },
  prompt: XSS,
  maps: { image: 0, text: 0, grid: { rows: 4, cols: 4 }, alignment: oneHot(5), rollout: oneHot(14) },
  model: { name: 'fixture', architecture: 'twoTower', executionProvider: 'cpu', notices: [] },
};
/** The centre of patch (row, col) on the overlay canvas. */
const patch = (row: number, col: number): [number, number] => [(col + 0.5) * (SIZE / 4), (row + 0.5) * (SIZE / 4)];

let browser: Browser;
let view: Webview;
let page: Page;

before(async () => {
  browser = await launchChromium();
  view = await openWebview(browser, 'editor');
  page = view.page;
  await setTheme(page, 'vscode-dark', { '--vscode-editor-background': '#1e1e1e', '--vscode-focusBorder': '#007fd4' });
  mkdirSync('test/artifacts', { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** The hot patch in the scale's top colour; the cold one transparent, as the overlay's low end fades out over the image. */
async function assertHot(hot: [number, number], cold: [number, number], what: string): Promise<void> {
  const [h] = await canvasPixels(page.locator('canvas.overlay-map'), [hot]);
  const alphas = await canvasAlphas(page.locator('canvas.overlay-map'), [hot, cold]);
  assert.ok(closeColour(h, VIRIDIS_MAX, 3) && alphas[0] === 255 && alphas[1] === 0, `${what}: ${JSON.stringify([h, alphas])}`);
}

test('after the handshake the image shows the alignment with the prompt, switchable to rollout', async () => {
  assert.deepEqual(await view.nextPosted('ready'), { type: 'ready', requestId: 1 });
  await view.send(respond(1, { body: data }));
  await page.locator('.pair-view').waitFor();
  await assertHot(patch(1, 1), patch(3, 2), 'alignment');
  assert.equal(await page.locator('.legend-label').textContent(), `Alignment with "${XSS}"`);
  await page.getByLabel('Overlay', { exact: true }).selectOption('rollout');
  await assertHot(patch(3, 2), patch(1, 1), 'rollout');
  await page.getByLabel('Overlay', { exact: true }).selectOption('none');
  assert.deepEqual(await canvasPixels(page.locator('canvas.overlay-map'), [patch(3, 2)]), [[0, 0, 0]], 'cleared (transparent)');
  await page.getByLabel('Overlay', { exact: true }).selectOption('alignment');
});

test('the prompt and file name are shown as text; the prompt box and slider work from the keyboard', async () => {
  assert.equal(await page.locator('.pair-view figcaption').textContent(), `${XSS}.png with "${XSS}"`);
  assert.equal(await page.locator('vscode-textfield').evaluate((e) => (e as HTMLInputElement).value), XSS);
  assert.equal(await page.locator('img[src="x"], [onerror]').count(), 0);
  const slider = page.getByLabel('Opacity', { exact: true });
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('canvas.overlay-map').evaluate((c) => (c as HTMLCanvasElement).style.opacity), '0.65');
  const before = (await view.posted()).length;
  await page.locator('vscode-textfield input').fill('a red circle');
  await page.locator('vscode-textfield input').press('Enter');
  assert.deepEqual(await view.nextPosted('analyzePrompt', before), { type: 'analyzePrompt', prompt: 'a red circle' });
});

test('PNG export is the image with its overlay at the chosen opacity', async () => {
  const before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export the image with its overlay as PNG' }).click();
  const message = await view.nextPosted('export', before);
  assert.equal(message.fileName, `${XSS}.png-lens.png`.replace(/[<>]/g, '_'), 'the file name cannot carry markup or path characters');
  const png = PNG.sync.read(Buffer.from((message.content as string).replace('data:image/png;base64,', ''), 'base64'));
  assert.deepEqual([png.width, png.height], [SIZE, SIZE]);
  const [x, y] = patch(1, 1);
  const i = (y * png.width + x) * 4;
  // Grey 128 under viridis' top colour at opacity 0.65.
  const expected = VIRIDIS_MAX.map((v) => Math.round(128 + 0.65 * (v - 128)));
  assert.ok(closeColour([png.data[i], png.data[i + 1], png.data[i + 2]], expected as Rgb, 4), `${[png.data[i], png.data[i + 1], png.data[i + 2]]} vs ${expected}`);
  await view.send(respond(message.requestId as number, { body: { saved: null } }));
});

test('every posted message is valid; a reopened editor draws from its saved state', async () => {
  for (const message of await view.posted()) assert.equal(messageProblem(message), null, JSON.stringify(message).slice(0, 200));
  assert.deepEqual(view.problems, []);
  const restored = await openWebview(browser, 'editor', await view.savedState());
  await restored.page.locator('.pair-view').waitFor();
  assert.equal(await restored.page.getByLabel('Opacity', { exact: true }).inputValue(), '0.65');
  const [hot] = await canvasPixels(restored.page.locator('canvas.overlay-map'), [patch(1, 1)]);
  assert.ok(closeColour(hot, VIRIDIS_MAX, 3), 'the alignment map is back before the host answers');
  assert.deepEqual(restored.problems, []);
});

test('a recorded analysis of scene-1 with "a red circle" (the README screenshot)', async () => {
  const recording = JSON.parse(readFileSync('test/webview/explorerRecording.json', 'utf8')) as AnalysisResult;
  const recorded = await openWebview(browser, 'editor');
  await setTheme(recorded.page, 'vscode-dark', { '--vscode-editor-background': '#1e1e1e', '--vscode-focusBorder': '#007fd4' });
  await recorded.nextPosted('ready');
  const image = { path: recording.images[0].path, name: 'scene-1.png', preview: `data:image/png;base64,${readFileSync(recording.images[0].path).toString('base64')}` };
  await recorded.send(respond(1, { body: { image, prompt: recording.texts[0].text, maps: pairMaps(recording, 0, 0), model: modelInfo(recording) } }));
  await recorded.page.locator('.pair-view').waitFor();
  assert.equal(await recorded.page.locator('.legend-label').textContent(), 'Alignment with "a red circle"');
  await recorded.page.setViewportSize({ width: 640, height: 720 });
  await recorded.page.screenshot({ path: 'test/artifacts/editor.png' });
  assert.deepEqual(recorded.problems, []);
});

test('the first view: no maps yet, then the first prompt\'s maps open on its alignment (not "None"), with its score', async () => {
  const fresh = await openWebview(browser, 'editor');
  try {
    assert.deepEqual(await fresh.nextPosted('ready'), { type: 'ready', requestId: 1 });
    await fresh.send(respond(1, { body: { ...data, prompt: 'a red circle', maps: null, model: null } }));
    await fresh.page.locator('.pair-view').waitFor();
    await fresh.send({ type: 'data', data: { ...data, prompt: 'a red circle', score: { value: 0.3125, kind: 'cosine' } } });
    await fresh.page.locator('.legend-label', { hasText: 'Alignment with "a red circle"' }).waitFor({ timeout: 5000 });
    assert.equal(await fresh.page.getByLabel('Overlay', { exact: true }).inputValue(), 'alignment');
    assert.equal(await fresh.page.locator('.model-facts .score').textContent(), 'Cosine similarity with "a red circle": 0.313');
    await fresh.send({ type: 'data', data: { ...data, prompt: 'a red circle', score: { value: 0.875, kind: 'match probability' } } });
    await fresh.page.locator('.model-facts .score', { hasText: 'Match probability with "a red circle": 87.5%' }).waitFor({ timeout: 5000 });
  } finally {
    await fresh.page.close();
  }
});
