/**
 * The built alignment explorer (dist/webview/explorer.js) in headless Chromium with a stand-in VS Code: the
 * ready handshake, the matrix cells (DOM and canvas pixels against colours computed here), sorting, keyboard
 * use, theme switching, what the page posts (each message valid by the host's own validator), hostile text
 * kept as text, exports, the probe section, and the state restored when the view comes back. The tests run
 * in order on one page; later ones rely on the state left before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateViridis, rgb } from 'd3';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { respond, type ExplorerData, type PairMaps } from '../../src/shared/protocol';
import { messageProblem } from '../../src/shared/protocolValidators';
import { openWebview, probeFixture, setTheme, solidPng, XSS, type Webview } from './explorerHarness';
import { readSvg } from './figureReadback';
import { canvasAlphas, canvasPixels, closeColour, launchChromium, type Rgb } from './reportPage';

const CELL = 44;
const VALUES = [0.1, 0.5, 0.9, -0.3, 0.2, 0.4]; // 3 images x 2 texts, row-major; max at [1][0], min at [1][1]
const DARK = { '--vscode-editor-background': '#1e1e1e', '--vscode-focusBorder': '#007fd4', '--vscode-editor-foreground': '#d4d4d4' };

const data: ExplorerData = {
  images: [
    { path: '/w/red.png', name: 'red.png', preview: solidPng(8, 8, [200, 0, 0]) },
    { path: '/w/blue.png', name: 'blue.png', preview: solidPng(8, 8, [0, 0, 200]) },
    { path: `/w/${XSS}.png`, name: `${XSS}.png`, preview: solidPng(8, 8, [0, 160, 0]) },
  ],
  labels: ['red circle', XSS],
  template: 'a {label}',
  texts: ['a red circle', `a ${XSS}`],
  matrix: { rows: 3, cols: 2, values: Float32Array.from(VALUES), kind: 'cosine' },
  model: { name: 'fixture', architecture: 'twoTower', executionProvider: 'cpu', notices: [`notice about ${XSS}`] },
  probe: null,
  answers: null,
};

/** Viridis at the 256-step position of `v` in [min, max], the reference for every cell colour. */
function expectedColour(v: number, min = -0.3, max = 0.9): Rgb {
  const c = rgb(interpolateViridis(Math.round(((v - min) / (max - min)) * 255) / 255));
  return [c.r, c.g, c.b];
}
const hex = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;

let browser: Browser;
let view: Webview;
let page: Page;

before(async () => {
  browser = await launchChromium();
  view = await openWebview(browser, 'explorer');
  page = view.page;
  await setTheme(page, 'vscode-dark', DARK);
});
after(async () => {
  await browser?.close();
});

const texts = (selector: string) => page.locator(selector).allTextContents();
const matrixCanvas = () => page.locator('canvas.matrix-canvas');
/** Canvas point inside display cell (row, col): its centre, or its left frame edge. */
const centre = (r: number, c: number): [number, number] => [c * CELL + CELL / 2, r * CELL + CELL / 2];
const frameEdge = (r: number, c: number): [number, number] => [c * CELL + 2, r * CELL + CELL / 2];

test('the page asks for its state first and draws the matrix the host sends', async () => {
  const ready = await view.nextPosted('ready');
  assert.deepEqual(ready, { type: 'ready', requestId: 1 });
  await view.send(respond(1, { body: data }));
  await page.locator('.cell').nth(5).waitFor();
  assert.deepEqual(await texts('.cell'), ['0.10', '0.50', '0.90', '\u22120.30', '0.20', '0.40']);
  assert.equal(await page.locator('.cell').nth(3).getAttribute('aria-label'), 'blue.png with "a <img src=x onerror=alert(1)>": \u22120.30');
  assert.deepEqual(await texts('.col-head .sort-button'), ['red circle', XSS]);
  assert.deepEqual(await texts('.row-head .sort-button'), ['red.png', 'blue.png', `${XSS}.png`]);
  assert.equal(await page.getByRole('grid').getAttribute('aria-label'), 'Cosine similarity of 3 images (rows) with 2 texts (columns)');
  assert.deepEqual(await texts('.notices li'), [`notice about ${XSS}`]);
});

test('each cell is painted its value\'s viridis colour, with gaps in the editor background', async () => {
  const points = VALUES.map((_, k) => centre(Math.floor(k / 2), k % 2));
  assert.deepEqual(await canvasPixels(matrixCanvas(), points), VALUES.map((v) => expectedColour(v)));
  const [max, min] = await canvasPixels(matrixCanvas(), [centre(1, 0), centre(1, 1)]);
  assert.deepEqual([max, min], [[253, 231, 37], [68, 1, 84]], 'the ends of viridis');
  assert.deepEqual(await canvasPixels(matrixCanvas(), [[0, 0], [CELL, CELL]]), [hex('#1e1e1e'), hex('#1e1e1e')]);
  assert.deepEqual(await texts('.legend .legend-min, .legend .legend-max'), ['\u22120.3', '0.9']);
});

test('a text\'s header sorts the images by it (descending, ascending, off), an image\'s header sorts the texts', async () => {
  const byRed = page.getByRole('button', { name: /^Sort images by "a red circle"/ });
  await byRed.click();
  assert.deepEqual(await texts('.row-head .sort-button'), ['blue.png', `${XSS}.png`, 'red.png']);
  assert.equal(await page.locator('.col-head').first().getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await canvasPixels(matrixCanvas(), [centre(0, 0), centre(2, 0)]), [expectedColour(0.9), expectedColour(0.1)]);
  await page.getByRole('button', { name: /^Sort images by "a red circle"/ }).focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await texts('.row-head .sort-button'), ['red.png', `${XSS}.png`, 'blue.png'], 'sorted from the keyboard');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'red circle', 'focus stays on the header');
  assert.equal(await page.locator('.col-head').first().getAttribute('aria-sort'), 'ascending');
  await page.getByRole('button', { name: /^Sort images by "a red circle"/ }).click();
  assert.deepEqual(await texts('.row-head .sort-button'), ['red.png', 'blue.png', `${XSS}.png`]);
  await page.getByRole('button', { name: /^Sort texts by red\.png/ }).click();
  assert.deepEqual(await texts('.col-head .sort-button'), [XSS, 'red circle'], 'red.png scores 0.5 with the second text, 0.1 with the first');
  assert.deepEqual(await canvasPixels(matrixCanvas(), [centre(1, 0)]), [expectedColour(-0.3)]);
});

test('arrow keys, Home and End move between cells; Enter opens the pair and shows its overlays', async () => {
  await page.getByRole('button', { name: /^Sort texts by red\.png/ }).click();
  await page.getByRole('button', { name: /^Sort texts by red\.png/ }).click();
  assert.deepEqual(await texts('.col-head .sort-button'), ['red circle', XSS], 'sorting is off again');
  assert.equal(await page.locator('.cell[tabindex="0"]').count(), 1, 'one cell in the tab order');
  await page.locator('.cell[tabindex="0"]').focus();
  const focused = () => page.evaluate(() => [document.activeElement?.getAttribute('data-image'), document.activeElement?.getAttribute('data-text')]);
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await focused(), ['0', '1']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await focused(), ['2', '1'], 'stops at the last row');
  await page.keyboard.press('Home');
  assert.deepEqual(await focused(), ['2', '0']);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('End');
  assert.deepEqual(await focused(), ['1', '1']);
  const before = (await view.posted()).length;
  await page.keyboard.press('Enter');
  const request = await view.nextPosted('selectCell', before);
  assert.deepEqual({ ...request, requestId: undefined }, { type: 'selectCell', image: 1, text: 1, requestId: undefined });
  // A 2 x 2 grid: alignment hot at patch 3, rollout at patch 0.
  const maps: PairMaps = { image: 1, text: 1, grid: { rows: 2, cols: 2 }, alignment: Float32Array.from([0, 0, 0, 1]), rollout: Float32Array.from([1, 0, 0, 0]) };
  await view.send(respond(request.requestId as number, { body: maps }));
  await page.locator('.pair-view').waitFor();
  assert.equal(await page.locator('.pair-view figcaption').textContent(), `blue.png with "a ${XSS}"`);
  assert.equal(await page.locator('.cell[aria-selected="true"]').getAttribute('data-image'), '1');
  assert.deepEqual(await canvasPixels(matrixCanvas(), [frameEdge(1, 1)]), [hex('#007fd4')], 'the opened cell is framed in the focus colour');
  const overlay = page.locator('.pair-view canvas.overlay-map');
  // Bilinear scaling from 2 x 2 to 256 px: a cell's centre keeps its colour up to rounding.
  // The hot cell in viridis' top colour, opaque; the cold one transparent (the overlay's low end fades out).
  const near = async (hot: [number, number], cold: [number, number], what: string) => {
    const [colour] = await canvasPixels(overlay, [hot]);
    const alphas = await canvasAlphas(overlay, [hot, cold]);
    assert.ok(closeColour(colour, [253, 231, 37], 3) && alphas[0] === 255 && alphas[1] === 0, `${what}: ${JSON.stringify([colour, alphas])}`);
  };
  await near([192, 192], [64, 64], 'alignment: hot bottom-right');
  await page.getByLabel('Overlay', { exact: true }).selectOption('rollout');
  await near([64, 64], [192, 192], 'rollout: hot top-left');
});

test('the canvas follows the theme: light, then high contrast, repainted when VS Code switches', async () => {
  await setTheme(page, 'vscode-light', { '--vscode-editor-background': '#ffffff', '--vscode-focusBorder': '#ff0000', '--vscode-editor-foreground': '#000000' });
  assert.deepEqual(await canvasPixels(matrixCanvas(), [[0, 0], frameEdge(1, 1)]), [[255, 255, 255], [255, 0, 0]]);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
  await setTheme(page, 'vscode-high-contrast', { '--vscode-editor-background': '#000000', '--vscode-focusBorder': '#ff0000', '--vscode-contrastActiveBorder': '#f38518' });
  assert.deepEqual(await canvasPixels(matrixCanvas(), [[0, 0], frameEdge(1, 1)]), [[0, 0, 0], hex('#f38518')]);
  await setTheme(page, 'vscode-dark', DARK);
  assert.deepEqual(await canvasPixels(matrixCanvas(), [[0, 0]]), [hex('#1e1e1e')]);
});

test('texts, drops, removals and probe requests reach the host as protocol messages', async () => {
  const before = (await view.posted()).length;
  await page.locator('vscode-textarea textarea').fill(`square\n\n  ${XSS}  \n`);
  await page.locator('vscode-textfield input').fill('a photo of a {label}');
  await page.getByRole('button', { name: 'Apply the texts and compute the matrix' }).click();
  assert.deepEqual(await view.nextPosted('setTexts', before), { type: 'setTexts', labels: ['square', XSS], template: 'a photo of a {label}' });
  await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.setData('text/uri-list', '# from the explorer\r\nfile:///w/c.png\r\nfile:///w/d%20e.jpg\r\n');
    document.getElementById('app')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  assert.deepEqual(await view.nextPosted('addImages', before), { type: 'addImages', uris: ['file:///w/c.png', 'file:///w/d%20e.jpg'] });
  assert.deepEqual(await texts('.image-list .image-name'), ['red.png', 'blue.png', `${XSS}.png`]);
  await page.getByRole('button', { name: `Remove ${XSS}.png` }).click();
  assert.deepEqual(await view.nextPosted('removeImage', before), { type: 'removeImage', index: 2 });
  await page.getByRole('button', { name: 'Run the fusion probes on the current set' }).click();
  await view.nextPosted('runProbe', before);
  await view.send({ type: 'busy', message: 'Analyzing 3 x 2...' });
  assert.equal(await page.locator('p.status').textContent(), 'Analyzing 3 x 2...');
  await page.getByRole('button', { name: 'Cancel the running analysis' }).click();
  await view.nextPosted('cancel', before);
  await view.send({ type: 'busy', message: null });
  assert.equal(await page.getByRole('button', { name: 'Cancel the running analysis' }).isVisible(), false);
});

test('exports: the matrix as a figure (one rect and one value per cell, every label in full, the legend), PNG of it, JSON', async () => {
  const row = page.locator('.matrix-section .controls.export');
  await row.locator('select.figure-background-choice').selectOption('dark');
  let before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export SVG: the image-text matrix' }).click();
  const svg = await view.nextPosted('export', before);
  assert.equal(svg.format, 'svg');
  assert.equal(svg.fileName, 'alignment-matrix.svg');
  const content = svg.content as string;
  assert.equal((content.match(/<rect class="cell"/g) ?? []).length, 6);
  assert.ok(content.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the label is escaped text');
  assert.ok(!content.includes('<img'), 'no markup from a label');
  const read = await readSvg(page, content, 'rect.cell', 'rect.cell');
  assert.equal(read.background, '#1e1e1e');
  assert.deepEqual(read.texts.filter((t) => !t.inside).map((t) => t.text), []);
  const texts = read.texts.map((t) => t.text);
  for (const label of ['Image-text matrix', 'red.png', 'blue.png', `${XSS}.png`, 'red circle', XSS, '0.90', '\u22120.30']) assert.ok(texts.includes(label), `"${label}" in ${JSON.stringify(texts)}`);
  // The values run from -0.3 (at [1][1]) to 0.9 (at [1][0]); d3 writes a minus sign (U+2212).
  assert.deepEqual(read.legend, { label: 'Cosine similarity', min: '\u22120.3', max: '0.9' });
  await view.send(respond(svg.requestId as number, { body: { saved: null } }));
  await row.locator('select.figure-background-choice').selectOption('transparent');
  before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export PNG: the image-text matrix' }).click();
  const png = await view.nextPosted('export', before);
  const image = PNG.sync.read(Buffer.from((png.content as string).replace('data:image/png;base64,', ''), 'base64'));
  assert.deepEqual([image.width, image.height], [2 * read.width, 2 * read.height]);
  const at = (x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
  assert.equal(at(0, 0)[3], 0, 'a transparent corner');
  // Cell [1][0], the maximum, near its corner (away from the printed value): one cell (24 px) below the first.
  const cell = read.box!;
  assert.deepEqual(at(Math.round(2 * (cell.x + 4)), Math.round(2 * (cell.y + cell.height + 4))), [253, 231, 37, 255]);
  await view.send(respond(png.requestId as number, { error: 'disk full' }));
  await page.getByRole('status').filter({ hasText: 'Export failed: disk full' }).waitFor({ timeout: 5000 });
  before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export JSON: the image-text matrix' }).click();
  const shown = JSON.parse((await view.nextPosted('export', before)).content as string);
  assert.deepEqual(shown.values.flat().map((v: number) => Math.round(v * 100) / 100), VALUES);
  assert.deepEqual({ rows: shown.rowLabels, cols: shown.colLabels, scale: shown.scale.name }, { rows: ['red.png', 'blue.png', `${XSS}.png`], cols: ['red circle', XSS], scale: 'viridis' });
  before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export the matrix, answers and probes as JSON' }).click();
  const json = JSON.parse((await view.nextPosted('export', before)).content as string) as ExplorerData & { matrix: { values: number[] } };
  assert.deepEqual(json.matrix.values.map((v) => Math.round(v * 100) / 100), VALUES);
  assert.deepEqual(json.images.map((i) => Object.keys(i)), [['path', 'name'], ['path', 'name'], ['path', 'name']], 'previews are left out');
});

test('the opened pair exports as a figure: its title, the legend of the map shown, its values as JSON', async () => {
  const row = page.locator('.pair-view .controls.export');
  await row.locator('select.figure-background-choice').selectOption('light');
  let before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export SVG: blue.png with its overlay' }).click();
  const svg = await view.nextPosted('export', before);
  assert.equal(svg.fileName, 'blue-overlay.svg');
  const read = await readSvg(page, svg.content as string, 'image');
  assert.equal(read.background, '#ffffff');
  assert.equal(read.fills.length, 2, 'the image and the map, as two layers');
  assert.equal(read.texts.find((t) => t.className === 'figure-title')?.text, `blue.png with "a ${XSS}"`);
  assert.deepEqual(read.texts.filter((t) => !t.inside).map((t) => t.text), []);
  // The rollout shown is 1 at the top-left patch and 0 elsewhere.
  assert.deepEqual(read.legend, { label: 'Attention rollout', min: '0', max: '1' });
  // The legend fades as the map does: transparent at 0, opaque from 0.5 on, over a checkerboard, and says so.
  const stops = await page.evaluate((content) => {
    const doc = new DOMParser().parseFromString(content, 'image/svg+xml');
    return { opacity: [...doc.querySelectorAll('.figure-legend stop')].map((s) => Number(s.getAttribute('stop-opacity'))), checks: doc.querySelectorAll('.legend-checks').length, scale: doc.querySelector('.legend-scale')?.textContent };
  }, svg.content as string);
  assert.deepEqual(stops.opacity, Array.from({ length: 16 }, (_, i) => Math.round(255 * Math.min(1, Math.round((i / 15) * 255) / (255 * 0.5))) / 255));
  assert.equal(stops.checks, 1);
  assert.match(stops.scale ?? '', /below 0\.5 fades to transparent$/);
  await view.send(respond(svg.requestId as number, { body: { saved: null } }));
  before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export PNG: blue.png with its overlay' }).click();
  const png = PNG.sync.read(Buffer.from(((await view.nextPosted('export', before)).content as string).replace('data:image/png;base64,', ''), 'base64'));
  assert.deepEqual(Array.from(png.data.subarray(0, 4)), [255, 255, 255, 255]);
  before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export JSON: blue.png with its overlay' }).click();
  const data = JSON.parse((await view.nextPosted('export', before)).content as string);
  assert.deepEqual({ image: data.image, label: data.map.label, values: data.map.values, scale: data.map.scale }, { image: '/w/blue.png', label: 'Attention rollout', values: [[1, 0], [0, 0]], scale: { name: 'viridis', min: 0, max: 1 } });
});

test('the fusion probes draw EMAP, ablation and the cross-modal share', async () => {
  await view.send({ type: 'probe', probe: probeFixture() });
  await page.locator('.probe-section .emap').waitFor();
  assert.deepEqual(await texts('.probe-section .emap .bar-value'), ['1.000', '0.500']);
  assert.deepEqual(await texts('.probe-section .ablation .bar-value'), ['0.250', '0.750']);
  assert.deepEqual(await page.locator('.share-tables table').first().locator('td').allTextContents(), ['0.25', '0.75']);
});

test('everything the page posted passes the host\'s validator; nothing ran from hostile text', async () => {
  const posted = await view.posted();
  assert.ok(posted.length >= 8);
  for (const message of posted) assert.equal(messageProblem(message), null, JSON.stringify(message).slice(0, 200));
  assert.equal(await page.locator('img[src="x"], [onerror]').count(), 0);
  assert.deepEqual(view.problems, []);
});

test('a view recreated from its saved state draws at once, with its sort and opened pair, before the host answers', async () => {
  await page.getByRole('button', { name: /^Sort images by "a red circle"/ }).click();
  const saved = await view.savedState();
  assert.equal(JSON.stringify(saved).includes('"values":[0.1'), true, 'typed arrays are saved as plain arrays');
  const restored = await openWebview(browser, 'explorer', saved);
  const again = restored.page;
  await setTheme(again, 'vscode-dark', DARK);
  await again.locator('.cell').nth(5).waitFor();
  assert.deepEqual(await again.locator('.row-head .sort-button').allTextContents(), ['blue.png', `${XSS}.png`, 'red.png']);
  assert.deepEqual(await canvasPixels(again.locator('canvas.matrix-canvas'), [centre(0, 0), frameEdge(0, 1)]), [expectedColour(0.9), hex('#007fd4')], 'blue.png first, its opened cell framed');
  assert.equal(await again.locator('.pair-view figcaption').textContent(), `blue.png with "a ${XSS}"`);
  assert.deepEqual(await restored.nextPosted('ready'), { type: 'ready', requestId: 1 });
  await restored.send(respond(1, { body: { ...data, probe: null } }));
  assert.deepEqual(await again.locator('.row-head .sort-button').allTextContents(), ['blue.png', `${XSS}.png`, 'red.png'], 'the host\'s data keeps the view\'s sort');
  await restored.send({ type: 'error', message: XSS });
  assert.equal(await again.locator('p.status').textContent(), XSS, 'errors are shown as text');
  const changed = { ...data, texts: ['a square', 'a circle'], labels: ['square', 'circle'] };
  await restored.send({ type: 'data', data: changed });
  await again.locator('.col-head .sort-button', { hasText: 'square' }).waitFor();
  assert.deepEqual(await again.locator('.row-head .sort-button').allTextContents(), ['red.png', 'blue.png', `${XSS}.png`], 'a new set drops the old sort');
  assert.equal(await again.locator('.pair-view').count(), 0, 'and the opened pair, whose indices now name other texts');
  assert.equal(await again.locator('.cell[aria-selected="true"]').count(), 0);
  assert.deepEqual(restored.problems, []);
});

test('the CSP stops a script added without the nonce', async () => {
  const probe = await openWebview(browser, 'explorer');
  const injected = await probe.page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.body.append(script);
    return 'injected' in window;
  });
  assert.equal(injected, false);
  assert.ok(probe.problems.some((p) => /Content Security Policy directive 'script-src/.test(p)), probe.problems.join('; '));
});
