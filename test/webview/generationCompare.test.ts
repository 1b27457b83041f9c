/**
 * "Compare two words" in the generation report of a real generation (the tiny LLaVA fixture through the service), in
 * headless Chromium: two selects choose the tokens, their maps are drawn side by side, and every image token's
 * region on each canvas is the colour of that token's own map value on the one scale of both maps (computed here
 * from the result's numbers), which the legend states with the range.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { InferenceService } from '../../src/inference/service';
import type { GenerationReportData } from '../../src/shared/generationResult';
import { formatValue, overlayScale, viridisScale } from '../../webview/draw/colorScale';
import { canvasAlphas, canvasPixels, closeColour, launchChromium, openReport, type Rgb } from './reportPage';

const dir = join(__dirname, '../fixtures/tiny-llava');
const image = join(dir, 'edges_51x37.png');
let browser: Browser;
let data: GenerationReportData;
before(async () => {
  browser = await launchChromium();
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  try {
    const result = await service.generate({ images: [image], prompt: 'Describe the image.', maxNewTokens: 4 });
    data = { result, images: [`data:image/png;base64,${readFileSync(image).toString('base64')}`] };
  } finally {
    await service.dispose();
  }
});
after(async () => {
  await browser?.close();
});

/** The centre of image token `index`'s region on a compare map: the 51 x 37 image is shown 240 pixels wide. */
const centre = (index: number): [number, number] => {
  const [x0, y0, x1, y1] = data.result.images[0].regions[index];
  return [Math.floor(((x0 + x1) / 2) * 240 / 51), Math.floor(((y0 + y1) / 2) * 240 / 51)];
};

test('two chosen words\' maps side by side, each region in its own token\'s value on the scale both share', async () => {
  const { page, problems } = await openReport(browser, data);
  const section = page.getByRole('region', { name: 'Compare two words' });
  const pairs: [number, number][] = [[0, 1], [3, 1]];
  for (const [first, second] of pairs) {
    await section.getByLabel('First word', { exact: true }).selectOption(String(first));
    await section.getByLabel('Second word', { exact: true }).selectOption(String(second));
    const maps = [first, second].map((k) => data.result.generated[k].map[0]);
    assert.notDeepEqual(maps[0], maps[1], 'the fixture gives the two tokens different maps');
    const both = maps.flat();
    // The maps fade in over their lower half, as every overlay does (draw/colorScale.ts overlayScale).
    const scale = overlayScale(viridisScale(Math.min(...both), Math.max(...both)));
    const canvases = section.locator('.overlay-map');
    assert.equal(await canvases.count(), 2);
    assert.deepEqual(await section.locator('figcaption').allTextContents(), [first, second].map((k) => `${JSON.stringify(data.result.generated[k].text)} (token ${k})`));
    for (const [side, map] of maps.entries()) {
      const points = map.map((_, i) => centre(i));
      const [colours, alphas] = [await canvasPixels(canvases.nth(side), points), await canvasAlphas(canvases.nth(side), points)];
      map.forEach((value, i) => {
        const at = scale.step(value) * 3;
        const expected: Rgb = [scale.lut[at], scale.lut[at + 1], scale.lut[at + 2]];
        assert.ok(Math.abs(alphas[i] - scale.alpha(value)) <= 1, `words ${first}/${second}, map ${side}, image token ${i} (${value}): alpha ${alphas[i]}, expected ${scale.alpha(value)}`);
        // A canvas keeps colours premultiplied by alpha: nearly transparent ones come back rounded.
        if (alphas[i] >= 64) assert.ok(closeColour(colours[i], expected, 2), `words ${first}/${second}, map ${side}, image token ${i} (${value}): ${colours[i]}, expected ${expected}`);
      });
    }
    const label = (await section.locator('.legend-bar').getAttribute('aria-label')) ?? '';
    const opaqueFrom = formatValue(scale.min + scale.fade * (scale.max - scale.min));
    assert.equal(label, `Both maps on one colour scale: attention on the image tokens: viridis colour scale from ${formatValue(scale.min)} (dark) to ${formatValue(scale.max)} (light), transparent at ${formatValue(scale.min)} fading in to opaque at ${opaqueFrom}`);
  }
  assert.deepEqual([problems.console, problems.pageErrors, problems.dialogs, await problems.violations()], [[], [], [], []]);
});
