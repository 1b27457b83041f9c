/**
 * The built report bundle (dist/webview) in real headless Chromium: what it draws for known data, that
 * hostile text stays text, keyboard use, accessible names, theme colours and a clean console. One browser
 * and one page for the file; the tests run in order and later ones rely on the page state left before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ALIGNMENT_HOT, GREY, GRID, HEAD_HOT_PATCH, ROLLOUT_HOT, SCRIPT_END_TEXT, XSS_TEXT, cellCentre, reportFixture } from './reportFixture';
import { canvasAlphas, canvasPixels, closeColour, launchChromium, openReport, shownPixel, type PageProblems, type Rgb } from './reportPage';
import { viridisScale } from '../../webview/draw/colorScale';

/** The ends of matplotlib's viridis (#440154 and #fde725), the lowest and highest colours of every map. */
const VIRIDIS_MIN: Rgb = [68, 1, 84];
const VIRIDIS_MAX: Rgb = [253, 231, 37];
const ARTIFACTS = 'test/artifacts';

let browser: Browser;
let page: Page;
let problems: PageProblems;

before(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openReport(browser, await reportFixture()));
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
});

/** The text of every element matching `selector`. */
function texts(selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((elements) => elements.map((e) => e.textContent ?? ''));
}

/** Asserts that the 4x4 map on a canvas (one bitmap pixel per cell) is the max colour at patch `hot` and the min elsewhere. */
async function assertOneHotCanvas(selector: string, hot: number, what: string): Promise<void> {
  const cells = Array.from({ length: GRID.rows * GRID.cols }, (_, k) => [k % GRID.cols, Math.floor(k / GRID.cols)] as [number, number]);
  const expected = cells.map((_, k) => (k === hot ? VIRIDIS_MAX : VIRIDIS_MIN));
  assert.deepEqual(await canvasPixels(page.locator(selector), cells), expected, what);
}

test('the header and score tables show the values as the view formats them', async () => {
  assert.equal(await page.title(), 'Multimodal Lens report: fixture model');
  assert.deepEqual(await texts('.facts dd'), ['two towers', 'cpu', '5.189']); // ln 7 / 0.375 = 5.18909…
  assert.deepEqual(await texts('.notices li'), ['A notice the test expects']);
  assert.equal(await page.locator('.timings').textContent(), 'Timings: vision 12 ms');
  assert.deepEqual(await texts('.score-table caption'), ['Cosine similarity', 'Probability over texts (softmax of similarity x logit scale)']);
  const [similarity, probability] = [page.locator('.score-table').nth(0), page.locator('.score-table').nth(1)];
  assert.deepEqual(await similarity.locator('tbody th').allTextContents(), ['grey.png']);
  // d3's format writes negatives with the Unicode minus sign U+2212.
  assert.deepEqual(await similarity.locator('td').allTextContents(), ['0.250', '\u22120.125']);
  assert.deepEqual(await probability.locator('td').allTextContents(), ['87.5%', '12.5%']);
  const colours = await similarity.locator('td').evaluateAll((cells) => cells.map((c) => [getComputedStyle(c).backgroundColor, getComputedStyle(c).color]));
  // Cosines on the fixed range [-1, 1]: 0.25 and -0.125 are not the extremes of the scale.
  const cosine = viridisScale(-1, 1);
  assert.deepEqual(colours, [[cosine.css(0.25), cosine.textColor(0.25) === '#000' ? 'rgb(0, 0, 0)' : 'rgb(255, 255, 255)'], [cosine.css(-0.125), cosine.textColor(-0.125) === '#000' ? 'rgb(0, 0, 0)' : 'rgb(255, 255, 255)']]);
  assert.notDeepEqual(colours[0][0], 'rgb(253, 231, 37)');
});

test('hostile texts are shown as text and never become markup', async () => {
  assert.deepEqual(await texts('.score-table th.col'), [XSS_TEXT, SCRIPT_END_TEXT, XSS_TEXT, SCRIPT_END_TEXT]);
  assert.deepEqual(await texts('.token-text'), [XSS_TEXT, SCRIPT_END_TEXT]);
  assert.deepEqual(await texts('.token-strip:nth-of-type(2) .token'), ['<|startoftext|>', 'a', '</script>', '<|endoftext|>']);
  assert.deepEqual(await texts('.token-note'), ['Truncated: the text was longer than the model accepts; later words were dropped.']);
  assert.ok((await texts('.image-card select option')).includes(`Alignment with "${XSS_TEXT}"`));
  const images = await page.locator('img').evaluateAll((elements) => elements.map((e) => (e as HTMLImageElement).src.slice(0, 22)));
  assert.deepEqual(images, ['data:image/png;base64,'], 'the only <img> is the report image');
  assert.equal(await page.locator('[onerror]').count(), 0);
});

test('each head thumbnail lights the patch its CLS row attends to, L1 H0 at patch 5', async () => {
  const labels = await page.locator('.head-thumb .head-label').allTextContents();
  assert.deepEqual(labels, ['L0 H0', 'L0 H1', 'L1 H0', 'L1 H1']);
  for (const [layer, heads] of HEAD_HOT_PATCH.entries()) {
    for (const [head, patch] of heads.entries()) await assertOneHotCanvas(`.head-thumb:has-text("L${layer} H${head}") canvas`, patch, `L${layer} H${head}`);
  }
  // As shown: 64 CSS px for 4 cells, pixelated, so cell (1, 1) = patch 5 spans 16..32.
  const shown = page.locator('.head-thumb:has-text("L1 H0") canvas');
  assert.deepEqual(await shownPixel(shown, 24, 24), VIRIDIS_MAX);
  assert.deepEqual(await shownPixel(shown, 40, 24), VIRIDIS_MIN);
  await page.getByLabel('Layer', { exact: true }).selectOption('1');
  assert.deepEqual(await page.locator('.head-thumb .head-label').allTextContents(), ['L1 H0', 'L1 H1']);
  await page.getByLabel('Query token (0 = first/CLS)').fill('1');
  assert.deepEqual(await canvasPixels(page.locator('.head-thumb canvas').first(), [[1, 1]]), [VIRIDIS_MIN], 'query 1 is uniform: a flat map');
  await page.getByLabel('Query token (0 = first/CLS)').fill('0');
  await page.getByLabel('Layer', { exact: true }).selectOption('all');
});

test('the overlay shows the chosen map over the image at the chosen opacity', async () => {
  const select = page.getByLabel('Overlay');
  const slider = page.getByLabel('Opacity');
  const map = page.locator('.overlay-map');
  assert.equal(await select.inputValue(), 'rollout');
  assert.deepEqual(await texts('.legend-slot .legend-min, .legend-slot .legend-max'), ['0', '1']);
  const centre = cellCentre;
  await slider.focus();
  await page.keyboard.press('End');
  assert.equal(await slider.inputValue(), '1');
  assert.equal(await map.evaluate((e) => getComputedStyle(e).opacity), '1');
  assert.ok(closeColour(await shownPixel(map, ...centre(ROLLOUT_HOT)), VIRIDIS_MAX, 2), 'rollout hot cell');
  // The lowest values are transparent over the image, not the scale's darkest colour.
  assert.ok(closeColour(await shownPixel(map, ...centre({ row: 3, col: 0 })), [GREY, GREY, GREY], 2), 'a cell two away from the hot one shows the image');
  await page.keyboard.press('Home');
  assert.ok(closeColour(await shownPixel(map, ...centre(ROLLOUT_HOT)), [GREY, GREY, GREY], 2), 'opacity 0 shows the grey image');
  await page.keyboard.press('End');
  for (const [t, hot] of ALIGNMENT_HOT.entries()) {
    await select.selectOption(`alignment-${t}`);
    assert.ok(closeColour(await shownPixel(map, ...centre(hot)), VIRIDIS_MAX, 2), `alignment ${t} hot cell`);
    assert.deepEqual(await canvasAlphas(map, [centre({ row: 3 - hot.row, col: 3 - hot.col })]), [0], `alignment ${t} far cell: transparent`);
  }
  await select.selectOption('none');
  assert.ok(closeColour(await shownPixel(map, 128, 128), [GREY, GREY, GREY], 2), 'no overlay: the image');
  assert.equal(await page.locator('.legend-slot .legend').count(), 0);
  await select.selectOption('rollout');
});

/** The accessible name the page gives its focused element, from aria-label or its <label for>. */
function focusedName(): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement;
    return e.getAttribute('aria-label') ?? (e.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent : null) ?? e.tagName;
  });
}

test('Tab walks every control in order, and Enter or Space enlarges a head', async () => {
  await page.locator('h1').click(); // sets the start of sequential focus navigation before the first control
  const names: string[] = [];
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    names.push(await focusedName());
    if (i === 0) assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle), 'solid', 'focus is visible');
  }
  const head = (l: number, h: number) => `Layer ${l}, head ${h}: attention from token 0 over the patches. Enlarge.`;
  assert.deepEqual(names, ['Overlay', 'Opacity', 'Colour scale', 'Input', 'Layer', 'Query token (0 = first/CLS)', head(0, 0), head(0, 1), head(1, 0), head(1, 1)]);
  assert.deepEqual(await page.locator('.head-thumb').evaluateAll((b) => b.map((e) => e.getAttribute('aria-pressed'))), ['false', 'false', 'false', 'false']);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.head-detail h4').textContent(), 'L1 H0');
  assert.deepEqual(await page.locator('.head-thumb').evaluateAll((b) => b.map((e) => e.getAttribute('aria-pressed'))), ['false', 'false', 'true', 'false']);
  await assertOneHotCanvas('.head-detail canvas.heatmap-large', HEAD_HOT_PATCH[1][0], 'enlarged L1 H0');
  await page.keyboard.press('Tab');
  await page.keyboard.press(' ');
  assert.equal(await page.locator('.head-detail h4').textContent(), 'L1 H1');
  assert.deepEqual(await page.locator('.head-thumb').evaluateAll((b) => b.map((e) => e.getAttribute('aria-pressed'))), ['false', 'false', 'false', 'true']);
});

test('the enlarged head follows the query token and goes when its layer is hidden', async () => {
  const query = page.getByLabel('Query token (0 = first/CLS)');
  await query.fill('1');
  assert.equal(await page.locator('.head-detail h4').textContent(), 'L1 H1');
  assert.equal(await page.locator('.head-detail canvas.heatmap-large').getAttribute('aria-label'), 'Layer 1, head 1: attention from token 1 over the patches');
  await assertOneHotCanvas('.head-detail canvas.heatmap-large', -1, 'query 1 (uniform) enlarged');
  await query.fill('0');
  await page.getByLabel('Layer', { exact: true }).selectOption('0');
  assert.equal(await page.locator('.head-detail').innerHTML(), '');
  await page.getByLabel('Layer', { exact: true }).selectOption('all');
});

test('every control, image and canvas has an accessible name', async () => {
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('select, input, button, textarea, [tabindex], img, canvas[role="img"]')]
      .filter((e) => {
        const label = e.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent : undefined;
        return !(e.getAttribute('aria-label')?.trim() || label?.trim() || (e instanceof HTMLImageElement && e.alt.trim()));
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, []);
  // The names Chromium itself computes for assistive technology.
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { role?: { value: string }; name?: { value: string } }[] };
  const controls = nodes.filter((n) => ['combobox', 'slider', 'spinbutton', 'button', 'image'].includes(n.role?.value ?? ''));
  assert.ok(controls.length >= 10, `only ${controls.length} controls in the accessibility tree`);
  assert.deepEqual(controls.filter((n) => !n.name?.value.trim()).map((n) => n.role?.value), []);
});

/** The computed text and background colours of the view and the border colour of a score cell. */
function viewColours(): Promise<{ color: string; background: string; border: string }> {
  return page.evaluate(() => {
    const view = getComputedStyle(document.querySelector('.mmlens') as Element);
    const cell = getComputedStyle(document.querySelector('.score-table td') as Element);
    return { color: view.color, background: view.backgroundColor, border: cell.borderTopColor };
  });
}

/** Switches the page to a theme as VS Code does: a body class and --vscode-* variables on <html>. */
function setTheme(bodyClass: string, variables: Record<string, string>): Promise<void> {
  return page.evaluate(
    ({ bodyClass, variables }) => {
      document.body.className = bodyClass;
      for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(`--vscode-${name}`, value);
    },
    { bodyClass, variables },
  );
}

test('colours follow the VS Code theme variables, light and high contrast included', async () => {
  await page.screenshot({ path: `${ARTIFACTS}/report-dark.png`, fullPage: true });
  assert.deepEqual(await viewColours(), { color: 'rgb(212, 212, 212)', background: 'rgb(30, 30, 30)', border: 'rgb(60, 60, 60)' });
  // Light+ values; the view must take the text colour from --vscode-foreground when the editor one is unset.
  await setTheme('vscode-light', {
    'editor-background': '#ffffff',
    foreground: '#333333',
    'panel-border': '#e5e5e5',
    descriptionForeground: '#717171',
    'dropdown-background': '#ffffff',
    'dropdown-foreground': '#616161',
    'dropdown-border': '#cecece',
    'badge-background': '#c4c4c4',
    'badge-foreground': '#333333',
  });
  assert.deepEqual(await viewColours(), { color: 'rgb(51, 51, 51)', background: 'rgb(255, 255, 255)', border: 'rgb(229, 229, 229)' });
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(255, 255, 255)');
  await page.screenshot({ path: `${ARTIFACTS}/report-light.png`, fullPage: true });
  await setTheme('vscode-high-contrast', { 'editor-background': '#000000', foreground: '#ffffff', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518' });
  assert.deepEqual(await viewColours(), { color: 'rgb(255, 255, 255)', background: 'rgb(0, 0, 0)', border: 'rgb(111, 195, 223)' });
  await page.getByLabel('Overlay').focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineColor), 'rgb(243, 133, 24)', 'high-contrast focus ring');
});

test('the page logged no errors, raised no exceptions, violated no CSP and opened no dialog', async () => {
  assert.deepEqual(problems.console, []);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(await problems.violations(), []);
  assert.deepEqual(problems.dialogs, []);
});
