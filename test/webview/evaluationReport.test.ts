// The map evaluation page (`mmlens evaluate --manifest --html` on the tiny synthetic CLIP) in headless Chromium: a row
// per method with its means as the JSON has them, a method the model cannot make named with why across the row, each
// method's worst cases listed without Open buttons in a standalone file, a phrase holding HTML shown as text, and
// nothing breaking the page's CSP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { generateScene } from '../../src/shapesWorld/scene';
import type { ManifestEvaluationResult } from '../../src/shared/mapEvaluation';
import { writeTinyClip, type TinyClip } from '../support/tinyClip';
import { mmlens } from '../support/mmlens';
import { launchChromium } from './reportPage';

const HOSTILE = '<img src=x onerror="document.title=\'owned\'">';

let clip: TinyClip;
let work: string;
let browser: Browser;
let page: Page;
let result: ManifestEvaluationResult;
const errors: string[] = [];

before(async () => {
  clip = writeTinyClip({ fusedAttention: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-evaluation-page-'));
  const { png, truth } = await generateScene({ seed: 8, index: 0, objects: 2 });
  writeFileSync(join(work, 'scene.png'), png);
  const lines = truth.objects.map((o, i) => JSON.stringify({ image: 'scene.png', text: i === 0 ? HOSTILE : `a ${o.colour} ${o.shape}`, boxes: [[o.box.x, o.box.y, o.box.x + o.box.size, o.box.y + o.box.size]] }));
  writeFileSync(join(work, 'phrases.jsonl'), lines.join('\n'));
  const [html, json] = [join(work, 'evaluation.html'), join(work, 'evaluation.json')];
  const run = mmlens('evaluate', '--manifest', join(work, 'phrases.jsonl'), '--model', clip.dir, '--methods', 'rollout,occlusion', '--ep', 'cpu', '--html', html, '--json', json);
  assert.equal(run.status, 0, run.stderr);
  result = JSON.parse(readFileSync(json, 'utf8')) as ManifestEvaluationResult;
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(pathToFileURL(html).href);
});
after(async () => {
  await browser?.close();
  clip.remove();
  rmSync(work, { recursive: true, force: true });
});

test('a row per method: the one the model cannot make says why across the row, the other its means', async () => {
  const rows = page.locator('table.evaluation-table tbody tr');
  assert.deepEqual(await rows.locator('th').allTextContents(), ['rollout', 'occlusion']);
  const rollout = rows.nth(0).locator('td');
  assert.equal(await rollout.count(), 1);
  assert.equal(await rollout.getAttribute('colspan'), '6');
  assert.match(await rollout.textContent() ?? '', /^unavailable: .*attention/);
  const occlusion = result.methods[1];
  const cells = await rows.nth(1).locator('td').allTextContents();
  assert.deepEqual(cells, [`${(100 * occlusion.pointingGame!).toFixed(1)}%`, `${(100 * occlusion.pointingGameTorchRay!).toFixed(1)}%`, occlusion.energyInBox!.toFixed(3), occlusion.deletionAuc!.toFixed(3), occlusion.insertionAuc!.toFixed(3), String(occlusion.forwardPasses)]);
  assert.deepEqual(errors, []);
});

test('the worst cases of the method that ran, as text, with no Open button outside VS Code', async () => {
  assert.deepEqual(await page.locator('.worst-cases h3').allTextContents(), ['occlusion']);
  const items = page.locator('.worst-cases li');
  assert.equal(await items.count(), 2);
  assert.equal(await page.locator('.worst-cases .open-case').count(), 0);
  const texts = await page.locator('.worst-cases .case-text').allTextContents();
  assert.ok(texts.includes(`"${HOSTILE}"`), texts.join(' / '));
  assert.equal(await page.locator('.worst-cases img').count(), 0);
  assert.notEqual(await page.title(), 'owned');
});
