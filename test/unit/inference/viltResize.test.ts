// ViltImageProcessor's sizes and pixels (tools/fixtures/hfVilt.py, HF's get_resize_output_image_size and Pillow):
// the shortest edge scaled, the long side capped at int(shortest x 1333 / 800), both rounded then floored to
// multiples of size_divisor, no centre crop; an image too elongated to keep a pixel is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { parsePreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';
import { divisorOutputSize } from '../../../src/inference/images/imageGeometry';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { hfFixture, imagePixels, maxDifference, type HfReference } from '../../support/hfFixture';

interface ResizeReference extends HfReference {
  sizes: [number, number][];
  resizeCases: { width: number; height: number; shortestEdge: number; sizeDivisor: number; output: [number, number] }[];
}

const { dir, reference } = hfFixture<ResizeReference>('hf-vilt');
/** One level of an 8-bit pixel after normalising with std 0.5. */
const LEVEL = 1 / 255 / 0.5;

test('sizes are HF\'s for portrait, landscape, square and capped images, at 64 and 384; the fixture\'s pixels within a level', async () => {
  for (const c of reference.resizeCases) {
    const { height, width } = divisorOutputSize(c.width, c.height, c.shortestEdge, c.sizeDivisor);
    assert.deepEqual([height, width], c.output, `${c.width}x${c.height} at ${c.shortestEdge}`);
  }
  const folder = await loadModelFolder(dir);
  for (const [i, name] of reference.images.entries()) {
    const ours = await preprocessImage(join(dir, name), folder.preprocessor);
    assert.deepEqual([ours.outputSize.height, ours.outputSize.width], reference.sizes[i]);
    const gap = maxDifference(ours.pixels, imagePixels(dir, name));
    assert.ok(gap <= LEVEL, `${name}: ${gap / LEVEL} levels`);
  }
});

test('the preprocessor config reads as ViltImageProcessor: no crop, size_divisor, and an image too elongated is a badInput', async () => {
  const folder = await loadModelFolder(dir);
  assert.equal(folder.preprocessor.centerCrop, false);
  assert.equal(folder.preprocessor.sizeDivisor, 32);
  assert.equal(folder.preprocessor.shortestEdge, 64);
  const strip = await sharp({ create: { width: 1000, height: 100, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
  await assert.rejects(preprocessImage(strip, folder.preprocessor), (e: unknown) => e instanceof LensError && e.kind === 'badInput'
    && /1000x100 is too elongated for the model's processor, which would resize it to 96x0/.test(e.message));
});

test('ViltImageProcessor\'s defaults, and the older ViltFeatureExtractor spelling (size as one number)', () => {
  const defaults = parsePreprocessorConfig({ image_processor_type: 'ViltImageProcessor' });
  assert.deepEqual([defaults.shortestEdge, defaults.sizeDivisor, defaults.resample, defaults.centerCrop, defaults.mean, defaults.std], [384, 32, 'bicubic', false, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  const old = parsePreprocessorConfig({ feature_extractor_type: 'ViltFeatureExtractor', size: 384, size_divisor: 64, resample: 2 });
  assert.deepEqual([old.shortestEdge, old.sizeDivisor, old.resample, old.centerCrop], [384, 64, 'bilinear', false]);
  assert.equal(parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessor' }).sizeDivisor, undefined);
});
