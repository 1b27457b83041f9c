/**
 * The explorer fed a recorded analysis: the bundled shapes-clip model's JSON (`mmlens analyze --json`) for
 * three sample scenes and three captions, turned into the view's messages by the same functions the host
 * uses. Checks the drawn numbers and colours against the recording, the opened pair's overlay against the
 * recorded alignment map, and saves the README screenshot (test/artifacts/explorer.png).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { interpolateViridis, rgb } from 'd3';
import type { Browser } from 'playwright-core';
import type { AnalysisResult } from '../../src/shared/analysisResult';
import { modelInfo, pairMaps, scoreMatrix } from '../../src/shared/explorerData';
import { respond, type ExplorerData } from '../../src/shared/protocol';
import { openWebview, setTheme } from './explorerHarness';
import { canvasPixels, closeColour, launchChromium, type Rgb } from './reportPage';

const recording = JSON.parse(readFileSync('test/webview/explorerRecording.json', 'utf8')) as AnalysisResult;
const CELL = 44;
const DARK = { '--vscode-editor-background': '#1e1e1e', '--vscode-focusBorder': '#007fd4', '--vscode-editor-foreground': '#d4d4d4' };

/** The page data the host would send for the recording; previews are the sample PNGs themselves. */
export function recordedData(result: AnalysisResult): ExplorerData {
  const texts = result.texts.map((t) => t.text);
  return {
    images: result.images.map(({ path }) => ({ path, name: path.split('/').pop()!, preview: `data:image/png;base64,${readFileSync(path).toString('base64')}` })),
    labels: texts,
    template: '',
    texts,
    matrix: scoreMatrix(result),
    model: modelInfo(result),
    probe: null,
    answers: null,
  };
}

let browser: Browser;
before(async () => {
  browser = await launchChromium();
  mkdirSync('test/artifacts', { recursive: true });
});
after(async () => {
  await browser?.close();
});

test('the recorded scores are printed and painted, and the opened pair shows the recorded alignment map', async () => {
  const view = await openWebview(browser, 'explorer');
  const { page } = view;
  await setTheme(page, 'vscode-dark', DARK);
  await view.nextPosted('ready');
  await view.send(respond(1, { body: recordedData(recording) }));
  await page.locator('.cell').nth(8).waitFor();
  const flat = recording.similarity.flat();
  assert.deepEqual(await page.locator('.cell').allTextContents(), flat.map((v) => v.toFixed(2).replace('-', '\u2212')));
  const [min, max] = [Math.min(...flat), Math.max(...flat)];
  const expected = flat.map((v) => {
    const c = rgb(interpolateViridis(Math.round(((v - min) / (max - min)) * 255) / 255));
    return [c.r, c.g, c.b] as Rgb;
  });
  const centres = flat.map((_, k): [number, number] => [(k % 3) * CELL + CELL / 2, Math.floor(k / 3) * CELL + CELL / 2]);
  assert.deepEqual(await canvasPixels(page.locator('canvas.matrix-canvas'), centres), expected);

  await page.locator('.cell[data-image="0"][data-text="0"]').click();
  const request = await view.nextPosted('selectCell');
  await view.send(respond(request.requestId as number, { body: pairMaps(recording, 0, 0)! }));
  await page.locator('.pair-view').waitFor();
  // The hottest patch of the recorded map, at its centre on the 256 px overlay (8 x 8 patches of 32 px).
  const map = recording.maps.alignment[0][0].flat();
  const hot = map.indexOf(Math.max(...map));
  const [hotPixel] = await canvasPixels(page.locator('canvas.overlay-map'), [[(hot % 8) * 32 + 16, Math.floor(hot / 8) * 32 + 16]]);
  assert.ok(closeColour(hotPixel, [253, 231, 37], 12), `patch ${hot}: ${hotPixel}`);
  await page.setViewportSize({ width: 520, height: 900 });
  await page.screenshot({ path: 'test/artifacts/explorer.png', fullPage: true });
  assert.deepEqual(view.problems, []);
});
