// A real preview on the bundled shapes-clip model and a sample scene: every cell of the rollout and alignment
// overlays, read back from the PNG, is the 45/55 mix of the image (thumbnailed here by sharp directly) and
// d3's viridis at the cell's min-max scaled value from `analyze`; the labels are zero-shot's top 3.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateViridis, rgb } from 'd3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { MAX_IMAGE_CHARS } from '../../../src/hover/hoverMarkdown';
import { renderPreview, squareThumbnail, THUMBNAIL_SIZE, type PreviewSettings } from '../../../src/hover/renderPreview';
import { InferenceService } from '../../../src/inference/service';
import type { Matrix } from '../../../src/shared/analysisResult';

const IMAGE = 'media/samples/scene-1.png';
const CAPTION = 'a red circle';
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-clip' });
after(() => service.dispose());

const settings: PreviewSettings = {
  model: '',
  executionProvider: 'cpu',
  labels: ['red circle', 'blue square', 'green triangle', 'yellow cross', 'purple circle'],
  promptTemplates: ['a {label}'],
  rollout: { headFusion: 'mean', startLayer: 0, residual: true },
  maxImagePixels: 1e6,
};

async function pixels(dataUrl: string): Promise<Buffer> {
  const { data, info } = await sharp(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [THUMBNAIL_SIZE, THUMBNAIL_SIZE]);
  return data;
}

/** The map's value at pixel (x, y) by the textbook bilinear formula on cell centres, scaled to [0, 1]. */
function bilinear(map: Matrix, x: number, y: number, min: number, span: number): number {
  const cell = THUMBNAIL_SIZE / map.length;
  const gy = Math.min(map.length - 1, Math.max(0, (y + 0.5) / cell - 0.5));
  const gx = Math.min(map[0].length - 1, Math.max(0, (x + 0.5) / cell - 0.5));
  const [y0, x0] = [Math.floor(gy), Math.floor(gx)];
  const [y1, x1] = [Math.min(y0 + 1, map.length - 1), Math.min(x0 + 1, map[0].length - 1)];
  const [wy, wx] = [gy - y0, gx - x0];
  const v = map[y0][x0] * (1 - wy) * (1 - wx) + map[y0][x1] * (1 - wy) * wx + map[y1][x0] * wy * (1 - wx) + map[y1][x1] * wy * wx;
  return (v - min) / span;
}

/**
 * Checks 4 x 4 pixels around every cell centre: the overlay is (1 - a) image + a viridis(map value v there), where
 * a = 0.55 x min(1, 2v) (the lower half of the range fades in from transparent), up to palette noise.
 */
function assertOverlay(overlay: Buffer, image: Buffer, map: Matrix, name: string): void {
  const values = map.flat();
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  const cell = THUMBNAIL_SIZE / map.length;
  let worst = 0;
  map.forEach((row, r) => row.forEach((_, c) => {
    const got = [0, 0, 0];
    const want = [0, 0, 0];
    for (let y = Math.round((r + 0.5) * cell) - 2; y < Math.round((r + 0.5) * cell) + 2; y++) {
      for (let x = Math.round((c + 0.5) * cell) - 2; x < Math.round((c + 0.5) * cell) + 2; x++) {
        const value = bilinear(map, x, y, min, span);
        const colour = rgb(interpolateViridis(value));
        const share = 0.55 * Math.min(1, 2 * value);
        const i = (y * THUMBNAIL_SIZE + x) * 3;
        [colour.r, colour.g, colour.b].forEach((v, k) => {
          want[k] += ((1 - share) * image[i + k] + share * v) / 16;
          got[k] += overlay[i + k] / 16;
        });
      }
    }
    worst = Math.max(worst, ...got.map((g, k) => Math.abs(g - want[k])));
  }));
  // Slack for the palette PNG's quantisation and dithering, and sharp's two decoding paths of the image.
  assert.ok(worst < 8, `${name}: a cell is off by ${worst.toFixed(1)} levels`);
}

test('the preview of a sample scene with a caption: both overlays, top 3 labels, model and provider', async (t) => {
  const started = performance.now();
  const preview = await renderPreview(service, IMAGE, CAPTION, settings);
  const uncached = performance.now() - started;
  const analysis = await service.analyze({ images: [IMAGE], texts: [CAPTION] });
  const zeroShot = await service.zeroShot({ images: [IMAGE], labels: settings.labels, templates: settings.promptTemplates, topK: 3 });
  assert.deepEqual([preview.model, preview.executionProvider], ['shapes-clip', 'cpu']);
  assert.deepEqual(preview.labels, zeroShot.images[0].top);
  assert.equal(preview.labels[0].label, 'red circle');
  assert.equal(preview.captionScore, analysis.similarity[0][0]);
  const image = await sharp(IMAGE).removeAlpha().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover', kernel: 'cubic' }).raw().toBuffer();
  assertOverlay(await pixels(preview.rolloutUrl!), image, analysis.maps.rollout[0], 'rollout');
  assertOverlay(await pixels(preview.alignmentUrl!), image, analysis.maps.alignment[0][0], 'alignment');
  const bytes = preview.rolloutUrl!.length + preview.alignmentUrl!.length;
  assert.ok(bytes < MAX_IMAGE_CHARS, `${bytes} characters of images`);
  t.diagnostic(`first preview ${uncached.toFixed(0)} ms (model load included), images ${bytes} characters of Markdown`);
});

test('without a caption: the rollout overlay only, and no labels when the label set is empty', async () => {
  const preview = await renderPreview(service, IMAGE, undefined, { ...settings, labels: [] });
  assert.ok(preview.rolloutUrl?.startsWith('data:image/png;base64,'));
  assert.equal(preview.alignmentUrl, undefined);
  assert.equal(preview.captionScore, undefined);
  assert.deepEqual(preview.labels, []);
});

test('a cancelled render stops with a cancelled error', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(renderPreview(service, IMAGE, CAPTION, settings, controller.signal), { name: 'LensError', message: /cancelled/ });
});

test('the thumbnail is the part of the image the model takes: its crop window, the whole image squeezed, or black where a crop pads', async () => {
  // 80 x 40: red on its left quarter (x < 20), blue on its right quarter (x >= 60), grey between.
  const pixels = Buffer.alloc(80 * 40 * 3);
  for (let i = 0; i < 80 * 40; i++) pixels.set((i % 80) < 20 ? [255, 0, 0] : (i % 80) >= 60 ? [0, 0, 255] : [128, 128, 128], i * 3);
  const file = join(mkdtempSync(join(tmpdir(), 'mmlens-thumb-')), 'wide.png');
  await sharp(pixels, { raw: { width: 80, height: 40, channels: 3 } }).png().toFile(file);
  const at = (thumb: Uint8Array, x: number, y: number) => Array.from(thumb.subarray((y * THUMBNAIL_SIZE + x) * 3, (y * THUMBNAIL_SIZE + x) * 3 + 3));
  const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 8);
  const [edge, middle] = [4, THUMBNAIL_SIZE / 2];
  // The centre square (x 20 to 60) holds neither strip; the whole image squeezed has both at its edges.
  const centre = await squareThumbnail(file, 1e6);
  assert.ok(near(at(centre, edge, middle), [128, 128, 128]), `${at(centre, edge, middle)}`);
  const whole = await squareThumbnail(file, 1e6, [0, 0, 80, 40]);
  assert.ok(near(at(whole, edge, middle), [255, 0, 0]) && near(at(whole, THUMBNAIL_SIZE - edge, middle), [0, 0, 255]), `${at(whole, edge, middle)}`);
  // A 40 x 80 window from x 20 and y -20: the grey middle, black above and below the image.
  const padded = await squareThumbnail(file, 1e6, [20, -20, 60, 60]);
  assert.ok(near(at(padded, middle, edge), [0, 0, 0]) && near(at(padded, middle, middle), [128, 128, 128]), `${at(padded, middle, edge)}`);
  rmSync(join(file, '..'), { recursive: true, force: true });
});
