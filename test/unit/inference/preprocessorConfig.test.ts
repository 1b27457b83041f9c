// preprocessor_config.json normalisation: old and new spellings, PIL filter codes, class defaults, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { parsePreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';

const clipMean = [0.48145466, 0.4578275, 0.40821073];
const clipStd = [0.26862954, 0.26130258, 0.27577711];

function rejects(json: unknown, pattern: RegExp): void {
  assert.throws(() => parsePreprocessorConfig(json), (error: unknown) => {
    assert.ok(error instanceof LensError && error.kind === 'badModel', String(error));
    assert.match(error.message, /^preprocessor_config\.json: /);
    assert.match(error.message, pattern);
    return true;
  });
}

test('the old CLIPFeatureExtractor spelling (ints for size and crop_size)', () => {
  const cfg = parsePreprocessorConfig({
    crop_size: 224, do_center_crop: true, do_normalize: true, do_resize: true, feature_extractor_type: 'CLIPFeatureExtractor',
    image_mean: clipMean, image_std: clipStd, resample: 3, size: 224,
  });
  assert.deepEqual(cfg, {
    resize: true, shortestEdge: 224, resample: 'bicubic', centerCrop: true, cropSize: { height: 224, width: 224 },
    rescale: true, rescaleFactor: 1 / 255, normalize: true, mean: clipMean, std: clipStd, convertRgb: true, notes: [],
  });
});

test('the newer image-processor spelling (objects), and flags turned off', () => {
  const cfg = parsePreprocessorConfig({
    size: { shortest_edge: 336 }, crop_size: { height: 320, width: 336 }, do_rescale: false, rescale_factor: 0.5,
    do_normalize: false, do_convert_rgb: false, image_mean: 0.5, image_std: [1, 2, 3], resample: 2,
  });
  assert.equal(cfg.shortestEdge, 336);
  assert.deepEqual(cfg.cropSize, { height: 320, width: 336 });
  assert.deepEqual([cfg.rescale, cfg.rescaleFactor, cfg.normalize, cfg.convertRgb, cfg.resample], [false, 0.5, false, false, 'bilinear']);
  assert.deepEqual([cfg.mean, cfg.std], [[0.5, 0.5, 0.5], [1, 2, 3]]);
  assert.deepEqual(parsePreprocessorConfig({ size: { height: 10, width: 20 } }).shortestEdge, { height: 10, width: 20 });
});

test('PIL resampling codes map to their filters, all six reproduced (no approximation note)', () => {
  const filter = (resample: unknown) => parsePreprocessorConfig({ resample });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((code) => filter(code).resample), ['nearest', 'lanczos', 'bilinear', 'bicubic', 'box', 'hamming']);
  assert.deepEqual(filter(4).notes, []);
  assert.equal(filter('BICUBIC').resample, 'bicubic');
  rejects({ resample: 7 }, /"resample" must be a PIL resampling code 0-5/);
  rejects({ resample: 2.5 }, /"resample" must be a PIL resampling code 0-5/);
});

test('absent fields take the defaults of the processor class the file names', () => {
  const clip = parsePreprocessorConfig({});
  assert.deepEqual([clip.shortestEdge, clip.resample, clip.centerCrop, clip.cropSize, clip.mean, clip.std], [224, 'bicubic', true, { height: 224, width: 224 }, clipMean, clipStd]);
  const siglip = parsePreprocessorConfig({ image_processor_type: 'SiglipImageProcessor' });
  assert.deepEqual([siglip.shortestEdge, siglip.resample, siglip.centerCrop, siglip.mean, siglip.std], [{ height: 224, width: 224 }, 'bilinear', false, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
});

test('invalid numbers and shapes name the field', () => {
  rejects('nope', /must hold a JSON object/);
  rejects({ size: -3 }, /"size" must be a positive integer, got -3/);
  rejects({ size: {} }, /"size" must be a number, \{"shortest_edge": n\} or \{"height": h, "width": w\}/);
  rejects({ crop_size: { height: 0, width: 3 } }, /"crop_size\.height" must be a positive integer/);
  rejects({ image_mean: [0.5, 0.5] }, /"image_mean" must be a list of 3 numbers/);
  rejects({ image_std: [0.5, 0, 0.5] }, /"image_std\[1\]" must be a positive number, got 0/);
  rejects({ rescale_factor: 0 }, /"rescale_factor" must be a positive number/);
  rejects({ do_resize: 'yes' }, /"do_resize" must be true or false/);
});
