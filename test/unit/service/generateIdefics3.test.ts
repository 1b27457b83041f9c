// Idefics3 / SmolVLM on the tiny fixture (tools/fixtures/tinyIdefics3.py): the product's tiles must be the pixels
// Hugging Face's Idefics3ImageProcessor makes (computed in Python with Pillow, pixels_*.f32), its prompt the
// processor's expansion with the row / column markers and the global image, and generation through the tiles the
// greedy tokens, log-probabilities and attention torch recomputes without a cache (reference.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import type { GenerativeModel } from '../../../src/inference/families/generative/generativeModel';
import type { GenerationResult } from '../../../src/shared/generationResult';
import { answerLogprobs } from '../../support/forcedAnswer';

const dir = join(__dirname, '..', '..', 'fixtures', 'tiny-idefics3');
const image = join(dir, 'edges_51x37.png');
interface Step { id: number; logprob: number; attention: number[][] }
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
  prompt: GenerationResult['prompt']; imagePositions: number[]; split: { rows: number; cols: number }; resized: { width: number; height: number }; steps: Step[];
};
const prompt = 'Describe the image.';

let service: InferenceService;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
});
after(() => service.dispose());

const maxGap = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((gap, v, i) => Math.max(gap, Math.abs(v - b[i])), 0);

test('the tiles are the pixels of Hugging Face\'s Idefics3ImageProcessor: 2 x 2 tiles of the 64 x 64 resize, then the whole image', async () => {
  const model = (await service.model()) as GenerativeModel;
  const pre = await model.preprocessImage(image);
  const expected = new Float32Array(readFileSync(join(dir, 'pixels_edges_51x37.f32')).buffer.slice(0));
  assert.deepEqual(pre.tiles, { ...reference.split, count: 5, resized: reference.resized });
  assert.deepEqual(pre.outputSize, { width: 32, height: 32 });
  assert.equal(pre.pixels.length, expected.length);
  assert.equal(maxGap(pre.pixels, expected), 0);
});

test('generation through the tiles gives torch\'s no-cache greedy tokens, log-probabilities and attention', async () => {
  const result = await service.generate({ images: [image], prompt, maxNewTokens: reference.steps.length, includeAttention: true });
  assert.deepEqual(result.prompt, reference.prompt);
  assert.match(result.prompt.text, /^<\|im_start\|>User:<fake_token_around_image><row_1_col_1>(<image>){4}<fake_token_around_image><row_1_col_2>(<image>){4}\n<fake_token_around_image><row_2_col_1>/);
  assert.deepEqual(result.images[0].positions, reference.imagePositions);
  assert.deepEqual(result.generated.map((t) => t.id), reference.steps.map((s) => s.id));
  assert.equal(result.model.family, 'idefics3');
  for (const [k, step] of reference.steps.entries()) {
    assert.ok(Math.abs(result.generated[k].logprob - step.logprob) < 1e-5, `step ${k}`);
    for (let layer = 0; layer < 2; layer++) assert.ok(maxGap(result.attention!.decoder[k][layer].flat(), step.attention[layer]) < 1e-5, `step ${k} layer ${layer}`);
    // The map follows the image tokens' positions, markers between the tiles left out.
    const rows = step.attention[1];
    const keys = rows.length / 4;
    const expected = reference.imagePositions.map((p) => [0, 1, 2, 3].reduce((sum, h) => sum + rows[h * keys + p], 0) / 4);
    const own = result.generated[k].map[0];
    const layer0 = reference.imagePositions.map((p) => [0, 1, 2, 3].reduce((sum, h) => sum + step.attention[0][h * keys + p], 0) / 4);
    assert.ok(maxGap(own, expected.map((v, i) => (v + layer0[i]) / 2)) < 1e-5);
  }
});

test('each tile\'s tokens cover their quarter of the image, and the global tile the whole of it', async () => {
  const result = await service.generate({ images: [image], prompt, maxNewTokens: 1 });
  const [tokens] = result.images;
  const [sx, sy] = [51 / 64, 37 / 64];
  assert.deepEqual(tokens.tiles.map((t) => [t.box, t.global, t.tokens]), [
    [[0, 0, 32 * sx, 32 * sy], false, [0, 4]], [[32 * sx, 0, 64 * sx, 32 * sy], false, [4, 8]],
    [[0, 32 * sy, 32 * sx, 64 * sy], false, [8, 12]], [[32 * sx, 32 * sy, 64 * sx, 64 * sy], false, [12, 16]],
    [[0, 0, 51, 37], true, [16, 20]],
  ]);
  // Token 7 is tile 1's (row 1, col 1) token: the pixel-shuffled 2 x 2 block of patches at its lower right.
  assert.deepEqual(tokens.regions[7], [48 * sx, 16 * sy, 64 * sx, 32 * sy]);
  assert.deepEqual(tokens.regions[19], [25.5, 18.5, 51, 37]);
});

test('inspect shows the tiles; occlusion hides one token\'s block of its tile, RISE says why it is not offered', async () => {
  const inspected = await service.inspect();
  assert.equal(inspected.generative?.family, 'idefics3');
  assert.deepEqual(inspected.generative?.imageTokens, { perImage: 20, rows: 2, cols: 2, tiles: 5, inputSize: { width: 32, height: 32 } });
  const result = await service.generate({ images: [image], prompt, maxNewTokens: 3, perturbation: { method: 'occlusion' } });
  assert.deepEqual(result.perturbation, { method: 'occlusion', score: 'logprobDrop', forwardPasses: 21 });
  const model = (await service.model()) as GenerativeModel;
  const pre = await model.preprocessImage(image);
  const grey = [0, 0, 0].map(() => (127.5 / 255 - 0.5) / 0.5);
  // Token 7 is tile 1's lower right 16 x 16 block; token 17 the global tile's upper right one.
  for (const [token, tile, r, c] of [[7, 1, 1, 1], [17, 4, 0, 1]]) {
    const hidden = Float32Array.from(pre.pixels);
    for (let ch = 0; ch < 3; ch++) for (let y = r * 16; y < r * 16 + 16; y++) for (let x = c * 16; x < c * 16 + 16; x++) hidden[tile * 3 * 1024 + ch * 1024 + y * 32 + x] = grey[ch];
    const logprobs = await answerLogprobs(model, result, pre, hidden);
    for (const [k, generated] of result.generated.entries()) {
      assert.ok(Math.abs(generated.perturbationMap![0][token] - (generated.logprob - logprobs[k])) < 1e-4, `token ${k}, image token ${token}`);
    }
  }
  await assert.rejects(service.generate({ images: [image], prompt, maxNewTokens: 2, perturbation: { method: 'rise' } }), (error: unknown) =>
    error instanceof LensError && error.kind === 'badInput' && /split into tiles/.test(error.message));
});
