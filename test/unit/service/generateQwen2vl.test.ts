// Qwen2-VL on the tiny fixture (tools/fixtures/tinyQwen2vl.py): the product's flattened patches must be the pixels
// Hugging Face's Qwen2VLImageProcessor makes (computed in Python with Pillow and numpy, pixels_*.f32), its three rows
// of positions get_rope_index's (computed there in Python), and generation the greedy tokens, log-probabilities and
// attention torch recomputes without a cache (reference.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import type { GenerativeModel } from '../../../src/inference/families/generative/generativeModel';
import type { GenerationResult } from '../../../src/shared/generationResult';
import { answerLogprobs } from '../../support/forcedAnswer';

const dir = join(__dirname, '..', '..', 'fixtures', 'tiny-qwen2vl');
const image = join(dir, 'edges_51x37.png');
interface Step { id: number; logprob: number; attention: number[][] }
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
  prompt: GenerationResult['prompt']; positionIds: number[][]; ropeDelta: number; gridThw: number[]; resized: { width: number; height: number }; steps: Step[];
};
const prompt = 'Describe the image.';

let service: InferenceService;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
});
after(() => service.dispose());

const maxGap = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((gap, v, i) => Math.max(gap, Math.abs(v - b[i])), 0);

test('the patches are Qwen2VLImageProcessor\'s: smart_resize to 48 x 40, BICUBIC, the frame doubled, merge blocks together', async () => {
  const model = (await service.model()) as GenerativeModel;
  const pre = await model.preprocessImage(image);
  const expected = new Float32Array(readFileSync(join(dir, 'pixels_edges_51x37.f32')).buffer.slice(0));
  assert.deepEqual(pre.outputSize, reference.resized);
  assert.deepEqual(pre.patches, { gridT: reference.gridThw[0], gridH: reference.gridThw[1], gridW: reference.gridThw[2] });
  assert.equal(maxGap(pre.pixels, expected), 0);
  assert.deepEqual(model.placement.ropePositions!(reference.prompt.ids, [pre]), { rows: reference.positionIds, delta: reference.ropeDelta });
});

test('generation with three rows of positions gives torch\'s no-cache greedy tokens, log-probabilities and attention', async () => {
  const result = await service.generate({ images: [image], prompt, maxNewTokens: reference.steps.length, includeAttention: true });
  assert.deepEqual(result.prompt, reference.prompt);
  assert.equal(result.model.family, 'qwen2_vl');
  assert.deepEqual(result.model.notices, []);
  assert.deepEqual(result.generated.map((t) => t.id), reference.steps.map((s) => s.id));
  for (const [k, step] of reference.steps.entries()) {
    assert.ok(Math.abs(result.generated[k].logprob - step.logprob) < 1e-5, `step ${k}`);
    for (let layer = 0; layer < 2; layer++) assert.ok(maxGap(result.attention!.decoder[k][layer].flat(), step.attention[layer]) < 1e-5, `step ${k} layer ${layer}`);
  }
});

test('each merged token covers its 2 x 2 block of patches, mapped back onto the original image; other sizes work too', async () => {
  const result = await service.generate({ images: [image], prompt, maxNewTokens: 1 });
  const [tokens] = result.images;
  assert.deepEqual([tokens.rows, tokens.cols, tokens.positions.length], [5, 6, 30]);
  const [sx, sy] = [51 / 48, 37 / 40];
  assert.deepEqual(tokens.regions[7], [8 * sx, 8 * sy, 16 * sx, 16 * sy]);
  const square = await service.generate({ images: [join(__dirname, '..', '..', '..', 'media', 'samples', 'scene-1.png')], prompt, maxNewTokens: 1 });
  // 96 x 96 is over max_pixels (4096): smart_resize scales it to 64 x 64, 16 x 16 patches, 8 x 8 tokens.
  assert.deepEqual([square.images[0].inputSize, square.images[0].rows, square.images[0].cols], [{ width: 64, height: 64 }, 8, 8]);
});

test('an image smaller than one merged block is refused, saying the smallest size the model takes', async () => {
  const model = (await service.model()) as GenerativeModel;
  const tiny = await sharp({ create: { width: 5, height: 30, channels: 3, background: '#ff0000' } }).png().toBuffer();
  await assert.rejects(model.preprocessImage(tiny), (error: unknown) => error instanceof LensError && error.kind === 'badInput' && /at least 8 x 8/.test(error.message));
});

test('occlusion hides a merged token\'s four patches, one image per encoder run, as the KV-cache loop scores them', async () => {
  const result = await service.generate({ images: [image], prompt, maxNewTokens: 3, perturbation: { method: 'occlusion' } });
  assert.deepEqual(result.perturbation, { method: 'occlusion', score: 'logprobDrop', forwardPasses: 31 });
  const model = (await service.model()) as GenerativeModel;
  const pre = await model.preprocessImage(image);
  const grey = [0.48145466, 0.4578275, 0.40821073].map((mean, c) => (127.5 / 255 - mean) / [0.26862954, 0.26130258, 0.27577711][c]);
  for (const token of [0, 13, 29]) {
    const hidden = Float32Array.from(pre.pixels);
    // Rows 4t..4t+3 of [120, 96]; each row is 3 channels of 2 frames x 4 x 4 values.
    for (let row = token * 4; row < token * 4 + 4; row++) for (let i = 0; i < 96; i++) hidden[row * 96 + i] = grey[Math.floor(i / 32)];
    const logprobs = await answerLogprobs(model, result, pre, hidden);
    for (const [k, generated] of result.generated.entries()) {
      assert.ok(Math.abs(generated.perturbationMap![0][token] - (generated.logprob - logprobs[k])) < 1e-4, `token ${k}, image token ${token}`);
    }
  }
});
