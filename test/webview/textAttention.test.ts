/**
 * The text side's head view and model view in headless Chromium, on real analyses of the bundled models: the
 * demo CLIP's text tower and shapes-fusion's joint sequence. What the SVG draws is read back and compared with
 * the lines worked out here from the result's own full-precision attention (the page draws from 8-bit rows, so
 * weights agree to a row's range / 510): the lines of a focused token, their opacity, what a layer or head
 * switch changes, the model view's cells, the fusion model's lines onto the patch centres, BLIP's cross-attention
 * lines onto them, and a panel fetching the rows its page lacks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { InferenceService } from '../../src/inference/service';
import { pageAnalysis } from '../../src/inference/tasks/packAttention';
import type { AnalysisResult } from '../../src/shared/analysisResult';
import type { ReportData } from '../../src/shared/reportData';
import { SAMPLE_SCENE } from '../support/mmlens';
import { asSent, launchChromium, openReport, type PageProblems } from './reportPage';

/** The view's cap, as it states it: per head and query the 8 strongest keys of at least 0.01. */
const LIMIT = 8;
const FLOOR = 0.01;

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** An analysis of scene-1 with `texts` by the bundled model `name`, attention nested. */
async function analyse(name: string, texts: string[]): Promise<ReportData> {
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: join(__dirname, '../../models', name) });
  try {
    const result = await service.analyze({ images: [SAMPLE_SCENE], texts, includeAttention: true });
    return { result, images: [`data:image/png;base64,${readFileSync(SAMPLE_SCENE).toString('base64')}`] };
  } finally {
    await service.dispose();
  }
}

/** A drawn line as the SVG holds it. */
interface DrawnLine {
  head: number;
  query: number;
  key: number;
  opacity: number;
}

async function drawnLines(page: Page): Promise<DrawnLine[]> {
  return page.locator('.text-attention .hv-line').evaluateAll((lines) => lines.map((l) => ({
    head: Number(l.getAttribute('data-head')),
    query: Number(l.getAttribute('data-query')),
    key: Number(l.getAttribute('data-key')),
    opacity: Number(l.getAttribute('stroke-opacity')),
  })));
}

/**
 * The keys of `row` at `positions` that should get a line, each with its weight, and the quantisation error of
 * `segment`, the packed segment (keys before the patches, or the patches) that holds them.
 */
function expectedKeys(row: number[], positions: number[], segment: [number, number]): { keys: { index: number; weight: number }[]; error: number } {
  const kept = positions.map((p, index) => ({ index, weight: row[p] })).filter((k) => k.weight >= FLOOR);
  kept.sort((a, b) => b.weight - a.weight || a.index - b.index);
  // 8-bit rows: each value within half a level of its segment's range (`positions` lie in one segment).
  const values = row.slice(...segment);
  const error = (Math.max(...values) - Math.min(...values)) / 510;
  // A weight near the floor matters only when it could be among the LIMIT kept.
  const sure = kept.filter((k) => k.weight > FLOOR + 2 * error).length;
  const near = positions.some((p) => Math.abs(row[p] - FLOOR) <= 2 * error);
  assert.ok(sure >= LIMIT || !near, 'a weight lies within the quantisation error of the line floor: pick another token for this check');
  if (kept.length > LIMIT) assert.ok(kept[LIMIT - 1].weight - kept[LIMIT].weight > 2 * error, 'the 8th and 9th keys are too close to tell apart at 8 bits');
  return { keys: kept.slice(0, LIMIT), error };
}

/** Lines expected from query token `query` of text `text` in `layer`, for `heads`, with opacity = weight / heads shown. */
function expectedTextLines(result: AnalysisResult, text: number, layer: number, query: number, heads: number[]): { lines: DrawnLine[]; error: number } {
  const attention = result.attention!.text!;
  const n = result.texts[text].tokens.length;
  const cut = Math.max(...result.texts.map((t) => t.tokens.length));
  const positions = Array.from({ length: n }, (_, i) => i);
  let worst = 0;
  const lines = heads.flatMap((head) => {
    const row = attention[layer][text][head][query].slice(0, cut);
    const { keys, error } = expectedKeys(row, positions, [0, cut]);
    worst = Math.max(worst, error);
    return keys.map((k) => ({ head, query, key: k.index, opacity: k.weight / heads.length }));
  });
  return { lines, error: worst / heads.length };
}

/** Compares drawn and expected lines as sets, opacities within `error`. */
function assertLines(drawn: DrawnLine[], expected: DrawnLine[], error: number): void {
  const key = (l: DrawnLine) => `${l.head}:${l.query}:${l.key}`;
  assert.deepEqual(drawn.map(key).sort(), expected.map(key).sort());
  const wanted = new Map(expected.map((l) => [key(l), l.opacity]));
  for (const line of drawn) assert.ok(Math.abs(line.opacity - wanted.get(key(line))!) <= error + 1e-6, `${key(line)}: opacity ${line.opacity}, expected ${wanted.get(key(line))}`);
}

const leftToken = (page: Page, index: number) => page.locator(`.text-attention .hv-left .hv-token[data-index="${index}"]`);

test('the demo CLIP\'s text tower: a focused token\'s lines, their opacity, a layer and a head switch, keyboard and pinning', async () => {
  const data = await analyse('shapes-clip', ['a red circle', 'a blue square']);
  const { result } = data;
  const { page, problems } = await openReport(browser, data);
  const [layers, heads] = [result.attention!.text!.length, result.attention!.text![0][0].length];
  const all = Array.from({ length: heads }, (_, h) => h);
  assert.equal(await page.locator('.text-attention .model-view .mv-cell').count(), layers * heads);
  assert.equal(await page.locator('.text-attention .hv-left .hv-token').count(), result.texts[0].tokens.length);

  // Focus is pointing: only the focused token's lines, each at weight / heads shown.
  const query = 2;
  await leftToken(page, query).focus();
  let expected = expectedTextLines(result, 0, 0, query, all);
  assertLines(await drawnLines(page), expected.lines, expected.error);
  assert.match((await page.locator('.text-attention .hv-status').textContent()) ?? '', new RegExp(`${expected.lines.length} lines? from token ${query}`));

  // Another layer: its own weights.
  await page.locator('.text-attention .hv-controls select').selectOption('1');
  await leftToken(page, query).focus();
  expected = expectedTextLines(result, 0, 1, query, all);
  assertLines(await drawnLines(page), expected.lines, expected.error);

  // One head alone (double-click its swatch): only its lines, now at the full weight.
  await page.locator('.text-attention .hv-head').nth(1).dblclick();
  await leftToken(page, query).focus();
  expected = expectedTextLines(result, 0, 1, query, [1]);
  assertLines(await drawnLines(page), expected.lines, expected.error);

  // The arrow key moves the focus (and the lines) to the next token; a click pins a token past the pointer leaving.
  await page.keyboard.press('ArrowDown');
  expected = expectedTextLines(result, 0, 1, query + 1, [1]);
  assertLines(await drawnLines(page), expected.lines, expected.error);
  assert.equal(await leftToken(page, query + 1).getAttribute('tabindex'), '0');
  await leftToken(page, 0).click();
  await page.locator('.text-attention h2').hover();
  await page.locator('.text-attention h2').click();
  expected = expectedTextLines(result, 0, 1, 0, [1]);
  assertLines(await drawnLines(page), expected.lines, expected.error);
  assert.equal(await leftToken(page, 0).getAttribute('aria-pressed'), 'true');
  await assertClean(problems);
});

test('the model view: a cell per layer and head; clicking one shows that layer with that head alone', async () => {
  const data = await analyse('shapes-clip', ['a green triangle']);
  const { page, problems } = await openReport(browser, data);
  const heads = data.result.attention!.text![0][0].length;
  const cells = page.locator('.text-attention .mv-cell');
  await cells.nth(heads + 2).click();
  assert.equal(await page.locator('.text-attention .hv-controls select').inputValue(), '1');
  const checked = await page.locator('.text-attention .hv-head input').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).checked));
  assert.deepEqual(checked, Array.from({ length: heads }, (_, h) => h === 2));
  // With no token in focus every query's lines are drawn, for head 2 only.
  const drawn = await drawnLines(page);
  assert.ok(drawn.length > 0 && drawn.every((l) => l.head === 2));
  // Arrow keys move the cell in the tab order.
  await cells.nth(0).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Layer 0 head 1');
  await assertClean(problems);
});

test('shapes-fusion\'s joint sequence: the text token\'s lines onto the image end at the centres of its strongest patches', async () => {
  const data = await analyse('shapes-fusion', ['a red circle']);
  const { result } = data;
  const layout = result.model.tokenLayout!;
  const { page, problems } = await openReport(browser, data);
  const joint = result.attention!.joint!;
  const [layers, heads] = [joint.length, joint[0][0].length];
  assert.equal(await page.locator('.text-attention .model-view .mv-cell').count(), layers * heads);
  const layer = layers - 1;
  const head = 3; // its 8th and 9th strongest patches are well apart at 8 bits
  const query = 2; // "red"
  assert.equal(result.texts[0].tokens[query], 'red');
  await page.locator('.text-attention .hv-controls select').selectOption(String(layer));
  await page.locator('.text-attention .hv-head').nth(head).dblclick();
  await leftToken(page, query).focus();

  const row = joint[layer][0][head][layout.textStart + query];
  const patches = result.grid.rows * result.grid.cols;
  const positions = Array.from({ length: patches }, (_, p) => layout.firstPatch + p);
  const { keys } = expectedKeys(row, positions, [layout.firstPatch, row.length]);
  const frame = await page.locator('.text-attention .hv-image image').evaluate((image) => ['x', 'y', 'width', 'height'].map((a) => Number(image.getAttribute(a))));
  const centre = (p: number) => [frame[0] + ((p % result.grid.cols) + 0.5) * (frame[2] / result.grid.cols), frame[1] + (Math.floor(p / result.grid.cols) + 0.5) * (frame[3] / result.grid.rows)];
  const ends = await page.locator('.text-attention .hv-patch-line').evaluateAll((lines) => lines.map((l) => [Number(l.getAttribute('x2')), Number(l.getAttribute('y2')), Number(l.getAttribute('stroke-opacity'))]));
  assert.equal(ends.length, keys.length);
  const strongest = keys[0].weight;
  const expectedEnds = keys.map((k) => [...centre(k.index), k.weight / strongest]);
  const sort = (a: number[][]) => [...a].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  sort(ends).forEach((end, i) => {
    const want = sort(expectedEnds)[i];
    assert.ok(Math.abs(end[0] - want[0]) < 1e-6 && Math.abs(end[1] - want[1]) < 1e-6, `line ${i} ends at ${end.slice(0, 2)}, expected ${want.slice(0, 2)}`);
    assert.ok(Math.abs(end[2] - want[2]) < 0.02, `line ${i}: opacity ${end[2]}, expected ${want[2]}`);
  });
  // The token's share of attention on the image, as the status line says it.
  const share = positions.reduce((sum, p) => sum + row[p], 0);
  const said = /gets ([\d.]+)% of its attention/.exec((await page.locator('.text-attention .hv-status').textContent()) ?? '');
  assert.ok(said && Math.abs(Number(said[1]) - share * 100) < 0.2, `status says ${said?.[1]}%, the result ${share * 100}%`);
  await assertClean(problems);
});

test('BLIP\'s text encoder: its self-attention in the head view, and its cross-attention\'s lines onto the image', async () => {
  // Hugging Face's BlipForImageTextRetrieval, tiny and random (tools/fixtures/hfBlip.py), its page attention packed
  // as `analyze --html` packs it, the nested attention kept for the expected lines.
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'test/fixtures/hf-blip' });
  const detailed = await service.analyze({ images: [SAMPLE_SCENE], texts: ['a red circle'], includeAttention: true, pageAttention: { level: 'full' } }).finally(() => service.dispose());
  const result = detailed;
  const sent = pageAnalysis(detailed);
  assert.ok(sent.attention?.cross, 'the page gets the cross-attention');
  const { page, problems } = await openReport(browser, { ...sent, images: [`data:image/png;base64,${readFileSync(SAMPLE_SCENE).toString('base64')}`] });
  assert.equal(await page.locator('.text-attention h2').textContent(), 'Text attention: head view and model view');
  const cross = result.attention!.cross!;
  const [layers, heads] = [cross.length, cross[0][0].length];
  assert.equal(await page.locator('.text-attention .model-view .mv-cell').count(), layers * heads);
  const patches = result.grid.rows * result.grid.cols;
  const firstPatch = cross[0][0][0][0].length - patches;
  const positions = Array.from({ length: patches }, (_, p) => firstPatch + p);
  const [layer, query] = [layers - 1, 1];
  // A head whose 8th and 9th strongest patches are apart at 8 bits (the check refuses a head where they are not).
  const head = Array.from({ length: heads }, (_, h) => h).find((h) => {
    try {
      expectedKeys(cross[layer][0][h][query], positions, [firstPatch, firstPatch + patches]);
      return true;
    } catch {
      return false;
    }
  });
  assert.ok(head !== undefined, 'no head of the last layer can be checked at 8 bits');
  await page.locator('.text-attention .hv-controls select').selectOption(String(layer));
  await page.locator('.text-attention .hv-head').nth(head).dblclick();
  await leftToken(page, query).focus();
  const row = cross[layer][0][head][query];
  const { keys } = expectedKeys(row, positions, [firstPatch, firstPatch + patches]);
  const frame = await page.locator('.text-attention .hv-image image').evaluate((image) => ['x', 'y', 'width', 'height'].map((a) => Number(image.getAttribute(a))));
  const centre = (p: number) => [frame[0] + ((p % result.grid.cols) + 0.5) * (frame[2] / result.grid.cols), frame[1] + (Math.floor(p / result.grid.cols) + 0.5) * (frame[3] / result.grid.rows)];
  const ends = await page.locator('.text-attention .hv-patch-line').evaluateAll((lines) => lines.map((l) => `${Number(l.getAttribute('x2')).toFixed(3)},${Number(l.getAttribute('y2')).toFixed(3)}`));
  assert.deepEqual(ends.sort(), keys.map((k) => centre(k.index).map((v) => v.toFixed(3)).join(',')).sort());
  // The status gives the patches' share of the token's cross-attention (the image CLS key takes the rest).
  const share = positions.reduce((sum, p) => sum + row[p], 0);
  const said = /gets ([\d.]+)% of its cross-attention/.exec((await page.locator('.text-attention .hv-status').textContent()) ?? '');
  assert.ok(said && Math.abs(Number(said[1]) - share * 100) < 0.2, `status says ${said?.[1]}%, the result ${share * 100}%`);
  await assertClean(problems);
});

test('a panel whose page holds the first token\'s rows asks the extension for each text token\'s rows, then draws their lines', async () => {
  const data = await analyse('shapes-fusion', ['a red circle']);
  const joint = data.result.attention!.joint!;
  const { page, problems } = await openReport(browser, asSent(data, 'thumbnails'), true);
  const tokens = data.result.texts[0].tokens.length;
  const posted = () => page.evaluate(() => (window as unknown as { posted: { type: string; requestId: number; item: number; query: number }[] }).posted);
  for (let query = 1; query < tokens; query++) {
    await page.waitForFunction((n) => (window as unknown as { posted: unknown[] }).posted.length >= n, query);
    const request = (await posted())[query - 1];
    assert.deepEqual([request.type, request.item, request.query], ['attentionRows', 0, query]);
    // The reply as the extension sends it: every layer's and head's row of that query, full precision.
    const rows = joint.flatMap((layer) => layer[0].flatMap((head) => head[query]));
    await page.evaluate(({ requestId, rows }) => window.postMessage({ type: 'response', requestId, ok: true, body: { rows: Float32Array.from(rows) } }, '*'), { requestId: request.requestId, rows });
  }
  await page.locator('.text-attention .hv-line[data-query="2"]').first().waitFor({ state: 'attached' });
  assert.equal(await page.locator('.text-attention .text-attention-status').textContent(), '');
  await leftToken(page, 2).focus();
  assert.ok((await page.locator('.text-attention .hv-patch-line').count()) > 0);
  assert.equal((await posted()).length, tokens - 1);
  await assertClean(problems);
});

async function assertClean(problems: PageProblems): Promise<void> {
  assert.deepEqual([problems.console, problems.pageErrors, await problems.violations()], [[], [], []]);
}
