/**
 * The built alignment explorer in headless Chromium with a generative model's data: the grid of answers (one per
 * image and prompt, a placeholder until written), each answer filled in as its message arrives, a cell opening
 * the Ask panel by a valid message from a click or the keyboard, the inputs naming prompts without a template,
 * no fusion probes, hostile text kept as text, and at the sidebar's 300 px the grid scrolls within its own frame.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Msg, respond, type ExplorerData } from '../../src/shared/protocol';
import { messageProblem } from '../../src/shared/protocolValidators';
import { openWebview, solidPng, XSS, type Webview } from './explorerHarness';
import { launchChromium } from './reportPage';

const PROMPTS = ['Describe the image.', `What colour is the ${XSS}?`, 'How many shapes?'];
const data: ExplorerData = {
  images: [
    { path: '/w/red.png', name: 'red.png', preview: solidPng(8, 8, [200, 0, 0]) },
    { path: '/w/blue.png', name: 'blue.png', preview: solidPng(8, 8, [0, 0, 200]) },
  ],
  labels: PROMPTS,
  template: 'a photo of a {label}',
  texts: PROMPTS,
  matrix: null,
  model: { name: 'shapes-vlm', architecture: 'generative', executionProvider: 'cpu', notices: [] },
  probe: null,
  answers: [['a red circle', null, null], [null, null, null]],
};

let browser: Browser;
let view: Webview;
let page: Page;

before(async () => {
  browser = await launchChromium();
  view = await openWebview(browser, 'explorer');
  page = view.page;
  await view.nextPosted('ready');
  await view.send(respond(1, { body: data }));
  await page.locator('.answer-cell').first().waitFor();
});
after(async () => {
  await browser?.close();
});

const cells = () => page.locator('.answer-cell').allTextContents();

test('the grid has a row per image and a column per prompt, each answer or a placeholder', async () => {
  assert.deepEqual(await page.locator('.answer-prompt').allTextContents(), PROMPTS);
  assert.deepEqual(await page.locator('.answer-image .image-name').allTextContents(), ['red.png', 'blue.png']);
  assert.deepEqual(await cells(), ['a red circle', ...Array(5).fill('waiting…')]);
  assert.equal(await page.locator('.answer-cell:disabled').count(), 5, 'a cell not yet answered cannot be opened');
  assert.equal(await page.locator('.answer-cell').first().getAttribute('aria-label'), 'red.png, "Describe the image.": a red circle. Open in Ask About Image to see where each word looks');
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'a prompt holding markup is shown as text');
  assert.deepEqual(view.problems, []);
});

test('with prompts the inputs say so and hide the template, and no fusion probe is offered', async () => {
  assert.equal(await page.locator('.text-inputs .control-label').first().textContent(), 'Prompts, one per line (the model answers each about each image)');
  assert.equal(await page.locator('.template-input').isVisible(), false);
  assert.equal(await page.locator('.probe-section').isVisible(), false);
  assert.equal(await page.locator('.matrix-canvas').count(), 0);
});

test('each answer fills its cell as it arrives, and the saved state keeps it', async () => {
  await view.send({ type: Msg.CellAnswer, image: 1, text: 2, answer: `two ${XSS}` });
  await view.send({ type: Msg.CellAnswer, image: 0, text: 1, answer: '' });
  assert.deepEqual(await cells(), ['a red circle', '(empty answer)', 'waiting…', 'waiting…', 'waiting…', `two ${XSS}`]);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  const saved = (await view.savedState()) as { data: ExplorerData };
  assert.deepEqual(saved.data.answers, [['a red circle', '', null], [null, null, `two ${XSS}`]]);
});

test('a click or Enter on an answer asks for it in the Ask panel with a message the host accepts', async () => {
  let before = (await view.posted()).length;
  await page.locator('.answer-cell').nth(5).click();
  const clicked = await view.nextPosted(Msg.AskCell, before);
  assert.deepEqual(clicked, { type: Msg.AskCell, image: 1, text: 2 });
  assert.equal(messageProblem(clicked), null);
  before = (await view.posted()).length;
  await page.locator('.answer-cell').first().focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await view.nextPosted(Msg.AskCell, before), { type: Msg.AskCell, image: 0, text: 0 });
});

test('Export all as JSON holds the answers', async () => {
  const before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Export the matrix, answers and probes as JSON' }).click();
  const exported = await view.nextPosted(Msg.Export, before);
  assert.equal(messageProblem(exported), null);
  const content = JSON.parse(exported.content as string) as { answers: unknown; texts: string[] };
  assert.deepEqual(content.answers, [['a red circle', '', null], [null, null, `two ${XSS}`]]);
  assert.deepEqual(content.texts, PROMPTS);
});

test('at 300 px wide the grid scrolls within its frame and the page does not', async () => {
  const long = { ...data, answers: data.answers!.map((row) => row.map(() => 'a red circle left of a blue square above a green triangle')) };
  await page.setViewportSize({ width: 300, height: 800 });
  await view.send({ type: Msg.Data, data: long });
  const sizes = await page.evaluate(() => {
    const frame = document.querySelector('.answer-frame')!;
    return { frame: [frame.scrollWidth, frame.clientWidth], page: [document.documentElement.scrollWidth, document.documentElement.clientWidth] };
  });
  assert.ok(sizes.frame[0] > sizes.frame[1], `the grid is wider than its frame (${sizes.frame}), so it scrolls`);
  assert.ok(sizes.page[0] <= sizes.page[1], `the page itself does not scroll sideways (${sizes.page})`);
  const last = page.locator('.answer-cell').last();
  await last.scrollIntoViewIfNeeded();
  assert.ok(await last.isVisible(), 'the last column is reachable by scrolling');
  assert.deepEqual(view.problems, []);
});
