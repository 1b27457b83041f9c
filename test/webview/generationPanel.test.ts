/**
 * The Ask About Image panel's page (dist/webview/ask.js) in headless Chromium with a stand-in VS Code, the test
 * playing the host with a real generation (the tiny LLaVA fixture through the service, with occlusion): the ready
 * handshake, the suggested prompts, Ask by button and by Enter with or without occlusion maps, the tokens posted one
 * by one shown in order as they arrive (and how long each takes to show), the occlusion's progress, the complete
 * answer's report below, Stop (the page posts it; the answer then says it was
 * stopped), asking again replacing the answer and dropping a replaced answer's late tokens, and the errors the host
 * sends shown as alerts. Texts are tried with markup, which must stay text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { interpolateViridis, rgb } from 'd3';
import type { Browser, Page } from 'playwright-core';
import { InferenceService } from '../../src/inference/service';
import type { GenerationReportData } from '../../src/shared/generationResult';
import { Msg, respond, type AnswerEvent, type AskSetup, type ToWebview } from '../../src/shared/protocol';
import { messageProblem } from '../../src/shared/protocolValidators';
import { openWebview, XSS, type Webview } from './explorerHarness';
import { launchChromium } from './reportPage';

const dir = join(__dirname, '../fixtures/tiny-llava');
const imagePath = join(dir, 'edges_51x37.png');
const preview = `data:image/png;base64,${readFileSync(imagePath).toString('base64')}`;
const setup: AskSetup = { image: { path: imagePath, name: `${XSS}.png`, preview }, model: 'tiny-llava', prompts: ['Describe the image.', XSS] };
let browser: Browser;
let report: GenerationReportData;

before(async () => {
  browser = await launchChromium();
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  try {
    report = { result: await service.generate({ images: [imagePath], prompt: 'Describe the image.', maxNewTokens: 12, perturbation: { method: 'occlusion' } }), images: [preview] };
  } finally {
    await service.dispose();
  }
});
after(async () => {
  await browser?.close();
});

const answer = (run: number, event: AnswerEvent): ToWebview => ({ type: Msg.Answer, run, event });

/** The canvas pixel at the centre of a region, read back from the page. */
async function streamedPixel(page: Page, box: [number, number, number, number]): Promise<number[]> {
  const image = report.result.images[0];
  const scale = 240 / Math.max(image.width, image.height);
  const [x, y] = [Math.floor(((box[0] + box[2]) / 2) * scale), Math.floor(((box[1] + box[3]) / 2) * scale)];
  return page.evaluate(([px, py]) => Array.from(document.querySelector<HTMLCanvasElement>('.streamed-map canvas')!.getContext('2d')!.getImageData(px, py, 1, 1).data), [x, y]);
}

/** Token `index`'s map is drawn: its highest image token in viridis' top colour (d3's, computed here), its lowest otherwise. */
async function expectStreamedMap(page: Page, index: number): Promise<void> {
  const values = report.result.generated[index].map[0];
  const { regions } = report.result.images[0];
  const top = rgb(interpolateViridis(1));
  const [high, low] = await Promise.all([Math.max(...values), Math.min(...values)].map((v) => streamedPixel(page, regions[values.indexOf(v)])));
  const isTop = (pixel: number[]) => [top.r, top.g, top.b].every((c, i) => Math.abs(c - pixel[i]) <= 2);
  assert.ok(isTop(high), `token ${index}'s highest image token: ${high} vs ${top}`);
  assert.ok(!isTop(low), `token ${index}'s lowest image token: ${low}`);
}

/** A page past its handshake. */
async function openPanel(): Promise<Webview> {
  const view = await openWebview(browser, 'ask');
  assert.deepEqual(await view.nextPosted(Msg.Ready), { type: Msg.Ready, requestId: 1 });
  await view.send(respond(1, { body: setup }));
  await view.page.locator('.ask-panel').waitFor();
  return view;
}

test('the page offers the suggested prompts, asks with the prompt box by button or Enter, and shows the tokens in order as they arrive', async () => {
  const view = await openPanel();
  const { page } = view;
  assert.equal(await page.locator('h1').textContent(), `Ask about ${XSS}.png`);
  const box = page.getByLabel('Prompt', { exact: true });
  assert.equal(await box.inputValue(), 'Describe the image.');
  await page.getByRole('button', { name: `Use the prompt "${XSS}"` }).click();
  assert.equal(await box.inputValue(), XSS);
  await box.press('Enter');
  assert.deepEqual(await view.nextPosted(Msg.AskImage), { type: Msg.AskImage, prompt: XSS, occlusion: false });
  await box.fill('Describe the image.');
  await page.getByLabel(/^Occlusion maps too/).check();
  const before = (await view.posted()).length;
  await page.getByRole('button', { name: 'Ask the model about the image' }).click();
  assert.deepEqual(await view.nextPosted(Msg.AskImage, before), { type: Msg.AskImage, prompt: 'Describe the image.', occlusion: true });
  assert.equal(messageProblem({ type: Msg.AskImage, prompt: 'Describe the image.' }), null);
  assert.match(messageProblem({ type: Msg.AskImage, prompt: '  ' }) ?? '', /prompt must be a non-empty string/);
  assert.equal(messageProblem({ type: Msg.AskImage, prompt: 'Describe the image.', occlusion: 'yes' }), 'occlusion must be true or false');

  await view.send(answer(1, { kind: 'started', prompt: 'Describe the image.' }));
  assert.equal(await page.getByRole('button', { name: 'Ask the model about the image' }).isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Stop writing the answer' }).isEnabled(), true);
  const { generated, images } = report.result;
  await view.send(answer(1, { kind: 'images', images }));
  // Each token is posted as the host posts it; the time is from postMessage to the frame after the page added it
  // with its map drawn. One at a time; a string, because tsx would wrap the page's named functions in a helper
  // that does not exist there.
  const texts = generated.map((t) => t.text);
  const delays = await page.evaluate<number[]>(`(async () => {
    const delays = [];
    for (const [index, token] of ${JSON.stringify(generated.slice(0, -1))}.entries()) {
      const start = performance.now();
      window.postMessage({ type: 'answer', run: 1, event: { kind: 'token', index, token } }, '*');
      await new Promise((shown) => {
        const check = () => (document.querySelector('.streamed-map figcaption').textContent.includes('(token ' + index) ? shown() : requestAnimationFrame(check));
        requestAnimationFrame(check);
      });
      delays.push(performance.now() - start);
    }
    return delays;
  })()`);
  assert.deepEqual(await page.locator('.streamed-token').allTextContents(), texts.slice(0, -1));
  console.log(`token posted -> shown with its map: median ${delays.sort((a, b) => a - b)[delays.length >> 1].toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms over ${delays.length} tokens`);
  assert.ok(Math.max(...delays) < 200, `every token shows within 200 ms: ${delays.join(', ')}`);
  // The newest token's map: its most attended image token painted in viridis' top colour, its least in the bottom one.
  await expectStreamedMap(page, generated.length - 2);
  // A chosen word stays pinned while later words arrive; choosing it again follows the newest once more.
  await page.locator('.streamed-token').nth(0).click();
  assert.equal(await page.locator('.streamed-token').nth(0).getAttribute('aria-pressed'), 'true');
  await view.send(answer(1, { kind: 'token', index: generated.length - 1, token: generated[generated.length - 1] }));
  assert.match((await page.locator('.streamed-map figcaption').textContent()) ?? '', /^The chosen token, .* \(token 0,/);
  await expectStreamedMap(page, 0);
  await page.locator('.streamed-token').nth(0).press('Enter');
  assert.match((await page.locator('.streamed-map figcaption').textContent()) ?? '', new RegExp(`^The newest token, .* \\(token ${generated.length - 1},`));

  await view.send(answer(1, { kind: 'progress', stage: 'occlusion', done: 12, total: 36 }));
  assert.equal(await page.getByRole('status').textContent(), 'Making the maps: occlusion 12 of 36…');
  await view.send(answer(1, { kind: 'done', report }));
  const tokens = page.locator('.ask-report .answer .token');
  assert.deepEqual(await tokens.allTextContents(), texts.map((t) => (t === '' ? '∅' : t)));
  assert.match((await page.getByRole('status').textContent()) ?? '', new RegExp(`^Complete: ${texts.length} tokens, stopped at the token limit`));
  await tokens.nth(1).click();
  assert.equal(await tokens.nth(1).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await page.getByLabel('Map', { exact: true }).locator('option').allTextContents(), ['attention', 'occlusion']);
  assert.equal(await page.getByRole('button', { name: 'Ask the model about the image' }).isEnabled(), true);
  assert.equal(await page.locator('img[src="x"], [onerror]').count(), 0);
  assert.deepEqual(view.problems, []);
});

test('Stop posts a stop message; the stopped answer keeps its tokens and says it was stopped; asking again replaces it', async () => {
  const view = await openPanel();
  const { page } = view;
  await page.getByRole('button', { name: 'Ask the model about the image' }).click();
  await view.nextPosted(Msg.AskImage);
  await view.send(answer(1, { kind: 'started', prompt: 'Describe the image.' }));
  for (const [index, token] of report.result.generated.slice(0, 3).entries()) await view.send(answer(1, { kind: 'token', index, token }));
  const stop = page.getByRole('button', { name: 'Stop writing the answer' });
  await stop.focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await view.nextPosted(Msg.StopAnswer), { type: Msg.StopAnswer });
  assert.equal(await stop.isDisabled(), true);
  assert.equal(await page.getByRole('status').textContent(), 'Stopping…');
  await view.send(answer(1, { kind: 'stopped', tokens: 3 }));
  const written = report.result.generated.slice(0, 3).map((t) => t.text).join('');
  assert.equal(await page.locator('.streamed-answer').textContent(), `${written} [stopped]`);
  assert.match((await page.getByRole('status').textContent()) ?? '', /^Stopped after 3 tokens, before the report was made/);
  assert.equal(await page.locator('.ask-report').textContent(), '');

  await view.send(answer(2, { kind: 'started', prompt: 'How many shapes?' }));
  assert.equal(await page.locator('.streamed-answer').textContent(), '');
  const [first] = report.result.generated;
  await view.send(answer(1, { kind: 'token', index: 3, token: { ...first, text: 'late' } }));
  await view.send(answer(2, { kind: 'token', index: 0, token: { ...first, text: 'two' } }));
  assert.deepEqual(await page.locator('.streamed-token').allTextContents(), ['two']);
  assert.deepEqual(view.problems, []);
});

test('a failed answer, a refused message and a failed handshake show the host\'s message as an alert', async () => {
  const view = await openPanel();
  const { page } = view;
  await view.send(answer(1, { kind: 'started', prompt: 'Describe the image.' }));
  const failure = `tiny-clip is a two-tower model, which scores image-text pairs and does not write text. ${XSS}`;
  await view.send(answer(1, { kind: 'failed', message: failure }));
  assert.equal(await page.getByRole('alert').textContent(), failure);
  assert.equal(await page.getByRole('button', { name: 'Ask the model about the image' }).isEnabled(), true);
  await view.send({ type: Msg.Error, message: 'Dropped a webview message: prompt must be a non-empty string of at most 10000 characters.' });
  assert.match((await page.getByRole('alert').textContent()) ?? '', /^Dropped a webview message: prompt must be/);
  await page.getByLabel('Prompt', { exact: true }).fill('   ');
  await page.getByRole('button', { name: 'Ask the model about the image' }).click();
  assert.equal(await page.getByRole('alert').textContent(), 'Write a question or an instruction first.');

  const broken = await openWebview(browser, 'ask');
  await broken.nextPosted(Msg.Ready);
  await broken.send(respond(1, { error: `Cannot read ${XSS}.png: not an image the decoder knows.` }));
  assert.equal(await broken.page.getByRole('alert').textContent(), `Cannot read ${XSS}.png: not an image the decoder knows.`);
  assert.deepEqual([...view.problems, ...broken.problems], []);
});
