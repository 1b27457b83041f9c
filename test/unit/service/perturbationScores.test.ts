// The scoring callback of the perturbation analyses on the tiny synthetic models: scores of whole and occluded
// images against plain onnxruntime runs of the untouched graphs (cosine and softmax computed here), the grey
// fill from the preprocessor's mean and std by hand, and the cost of occlusion and RISE in forward passes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { occlusionMap } from '../../../src/analysis/perturbation/occlusion';
import { riseMap } from '../../../src/analysis/perturbation/rise';
import { isUserError } from '../../../src/core/errors';
import type { PerturbationRequest } from '../../../src/inference/tasks/perturbationScores';
import { InferenceService } from '../../../src/inference/service';
import { cosine, softmax } from '../../support/reference';
import { tinyClipIds, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';

const texts = ['a red circle', 'a blue square'];
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];
let clip: TinyClip;
let fusion: TinyFusion;
let work: string;
let image: string;
let service: InferenceService;

before(async () => {
  clip = writeTinyClip();
  fusion = writeTinyFusion();
  work = mkdtempSync(join(tmpdir(), 'mmlens-perturb-'));
  image = join(work, 'scene.png');
  const size = clip.options.imageSize;
  const pixels = Buffer.from(Array.from({ length: size * size * 3 }, (_, i) => (i * 37 + (i % 3) * 80) % 256));
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(image);
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
});
after(async () => {
  await service.dispose();
  clip.remove();
  fusion.remove();
  rmSync(work, { recursive: true, force: true });
});

/** Plain onnxruntime: cosine of the image's embedding with each text's, for one pixel tensor. */
async function referenceSimilarities(pixels: Float32Array): Promise<number[]> {
  const size = clip.options.imageSize;
  const vision = await ort.InferenceSession.create(clip.towerBytes('vision'));
  const text = await ort.InferenceSession.create(clip.towerBytes('text'));
  const imageEmbeds = (await vision.run({ pixel_values: new ort.Tensor('float32', Float32Array.from(pixels), [1, 3, size, size]) })).image_embeds.data as Float32Array;
  const out: number[] = [];
  for (const t of texts) {
    const ids = tinyClipIds(clip, t);
    const embeds = (await text.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) })).text_embeds.data as Float32Array;
    out.push(cosine(imageEmbeds, embeds));
  }
  await vision.release();
  await text.release();
  return out;
}

test('the grey fill is mid-grey through the preprocessor, (0.5 - mean) / std per channel', async () => {
  const target = await service.perturbation({ image, texts, text: 1 });
  const gray = target.fills.gray;
  assert.equal(gray.kind, 'gray');
  if (gray.kind === 'gray') Array.from(gray.value).forEach((v, c) => assert.ok(Math.abs(v - (0.5 - MEAN[c]) / STD[c]) < 1e-6, `channel ${c}: ${v}`));
  assert.deepEqual(target.fills.blur, { kind: 'blur' });
});

test('two-tower scores equal cosine and softmax over the texts of plain onnxruntime runs', async () => {
  const probability = await service.perturbation({ image, texts, text: 1 });
  const similarity = await service.perturbation({ image, texts, text: 1, score: 'similarity' });
  assert.equal(probability.kind, 'probability');
  const side = clip.options.imageSize / clip.options.patchSize;
  assert.deepEqual([probability.image.rows, probability.image.cols], [side, side]);
  const expected = await referenceSimilarities(probability.image.data);
  const batch = new Float32Array([...probability.image.data, ...probability.image.data]);
  const probs = await probability.score(batch, 2);
  const sims = await similarity.score(batch, 2);
  const p = softmax(expected, clip.options.logitScale)[1];
  for (let i = 0; i < 2; i++) {
    assert.ok(Math.abs(probs[i] - p) < 1e-4, `probability ${probs[i]} vs ${p}`);
    assert.ok(Math.abs(sims[i] - expected[1]) < 1e-5, `similarity ${sims[i]} vs ${expected[1]}`);
  }
});

test('occlusion costs 1 + windows forward passes; a corner patch drops by its one window\'s occluded score', async () => {
  const target = await service.perturbation({ image, texts, text: 0, score: 'similarity' });
  const { rows, cols, height, width, data } = target.image;
  const result = await occlusionMap(target.image, target.fills.gray, target.score, { window: 2, stride: 1, batchSize: 4 });
  assert.equal(result.forwardPasses, 1 + (rows - 1) * (cols - 1));
  assert.equal(result.map.length, rows * cols);
  const [whole] = await referenceSimilarities(data);
  assert.ok(Math.abs(result.baseline - whole) < 1e-5);
  // Only the window at (0, 0) covers patch (0, 0): its pixels [0, 2·patch) x [0, 2·patch) turned grey.
  const occluded = Float32Array.from(data);
  const patch = height / rows;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 2 * patch; y++) for (let x = 0; x < 2 * (width / cols); x++) occluded[c * height * width + y * width + x] = (0.5 - MEAN[c]) / STD[c];
  }
  const [hidden] = await referenceSimilarities(occluded);
  assert.ok(Math.abs(result.map[0] - (whole - hidden)) < 1e-5, `map[0] ${result.map[0]} vs ${whole - hidden}`);
});

test('RISE costs one forward pass per mask and maps the patch grid', async () => {
  const target = await service.perturbation({ image, texts, text: 0 });
  const result = await riseMap(target.image, target.fills.blur, target.score, { masks: 12, cells: 2, batchSize: 5 });
  assert.equal(result.forwardPasses, 12);
  assert.equal(result.map.length, target.image.rows * target.image.cols);
  assert.ok(result.map.every(Number.isFinite));
});

test('single-stream models score by image-text matching, as analyze does', async () => {
  const target = await service.perturbation({ modelDir: fusion.dir, image, texts, text: 1 });
  assert.equal(target.kind, 'itm');
  const [score] = await target.score(target.image.data, 1);
  const result = await service.analyze({ modelDir: fusion.dir, images: [image], texts });
  assert.ok(Math.abs(score - result.itm![0][1]) < 1e-5, `${score} vs ${result.itm![0][1]}`);
});

test('scores a model cannot give are bad input', async () => {
  const cases: PerturbationRequest[] = [
    { image, texts: ['a red circle'], text: 0, score: 'probability' },
    { image, texts, text: 0, score: 'itm' },
    { image, texts, text: 2 },
    { modelDir: fusion.dir, image, texts, text: 0, score: 'similarity' },
  ];
  for (const request of cases) await assert.rejects(service.perturbation(request), (e) => isUserError(e), JSON.stringify(request));
});
