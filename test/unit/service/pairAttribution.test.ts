// Text-token occlusion and MM-SHAP on the bundled shapes-clip and shapes-fusion, against the models run by hand
// with plain onnxruntime sessions on the edited token ids (read from the vocabulary, not the product's tokenizer) and
// on pixels hidden by hand; MM-SHAP's estimate against the exact Shapley values, averaged over every order of a
// 7-feature game (3 words, a 2 x 2 grid), its efficiency, and its T-SHAP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { bundledModelDir } from '../../../src/inference/model/bundledModels';
import { InferenceService } from '../../../src/inference/service';
import { pairMmShap, tokenOcclusion, type AttributionPair } from '../../../src/inference/tasks/pairAttribution';

const root = join(__dirname, '..', '..', '..');
const clipDir = bundledModelDir(root);
const fusionDir = join(root, 'models', 'shapes-fusion');
const image = join(root, 'media', 'samples', 'scene-1.png');
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clipDir });
after(() => service.dispose());

/** start, one id per word, end: from the folder's word-level vocabulary. */
function wordIds(dir: string, text: string): number[] {
  const vocab = (JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  return [vocab['<|startoftext|>'], ...text.split(' ').map((w) => vocab[w]), vocab['<|endoftext|>']];
}

async function pairOf(dir: string, text: string): Promise<AttributionPair> {
  const model = await service.model(dir);
  const target = await service.perturbation({ modelDir: dir, image, texts: [text], text: 0, score: model.capabilities.imageTextMatching ? 'itm' : 'similarity' });
  return { model, image: target.source, imagePath: image, text };
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
  return ab / Math.sqrt(aa * bb);
};

/** shapes-clip by hand: the cosine of the image embedding of `pixels` with the text embedding of `ids`. */
let clipScore: (pixels: Float32Array, ids: number[]) => Promise<number>;
/** shapes-fusion by hand: softmax(itm_logits)[1], the ids padded to its 12 slots with <|pad|>, padding masked. */
let fusionScore: (pixels: Float32Array, ids: number[]) => Promise<number>;
before(async () => {
  const vision = await ort.InferenceSession.create(join(clipDir, 'onnx', 'vision_model.onnx'));
  const textTower = await ort.InferenceSession.create(join(clipDir, 'onnx', 'text_model.onnx'));
  clipScore = async (pixels, ids) => {
    const v = await vision.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, 64, 64]) });
    const t = await textTower.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
    return cosine(v.image_embeds.data as Float32Array, t.text_embeds.data as Float32Array);
  };
  const joint = await ort.InferenceSession.create(join(fusionDir, 'onnx', 'model.onnx'));
  fusionScore = async (pixels, ids) => {
    const padded = BigInt64Array.from({ length: 12 }, (_, k) => BigInt(k < ids.length ? ids[k] : 2));
    const mask = BigInt64Array.from({ length: 12 }, (_, k) => (k < ids.length ? 1n : 0n));
    const out = await joint.run({ input_ids: new ort.Tensor('int64', padded, [1, 12]), attention_mask: new ort.Tensor('int64', mask, [1, 12]), pixel_values: new ort.Tensor('float32', pixels, [1, 3, 64, 64]) });
    const [no, yes] = out.itm_logits.data as Float32Array;
    return 1 / (1 + Math.exp(no - yes));
  };
});

for (const [name, dir, score] of [['shapes-clip', clipDir, () => clipScore], ['shapes-fusion', fusionDir, () => fusionScore]] as const) {
  test(`${name}: each word's occlusion drop is the score of the pair minus the score with that word's id made <|pad|>`, async () => {
    const text = 'a red circle';
    const pair = await pairOf(dir, text);
    const report = await tokenOcclusion(pair);
    const ids = wordIds(dir, text);
    assert.equal(report.maskId, 2);
    assert.deepEqual(report.tokens.map((t) => [t.index, t.token, t.id]), [[1, 'a', ids[1]], [2, 'red', ids[2]], [3, 'circle', ids[3]]]);
    const baseline = await score()(pair.image.pixels, ids);
    assert.ok(Math.abs(report.baseline - baseline) < 1e-5, `baseline ${report.baseline} vs ${baseline}`);
    for (const token of report.tokens) {
      const edited = ids.map((id, k) => (k === token.index ? 2 : id));
      const drop = baseline - (await score()(pair.image.pixels, edited));
      assert.ok(Math.abs(token.value - drop) < 1e-5, `${token.token}: ${token.value} vs ${drop}`);
    }
    assert.equal(report.forwardPasses, 4);
  });
}

/** The exact Shapley values of a game of `n` features given every coalition's value (bit f of the index: feature f), averaged over all n! orders. */
function shapleyOverOrders(n: number, value: Float64Array): number[] {
  const phi = new Array<number>(n).fill(0);
  let orders = 0;
  const walk = (order: number[], left: number[]) => {
    if (left.length === 0) {
      let mask = 0;
      for (const f of order) {
        phi[f] += value[mask | (1 << f)] - value[mask];
        mask |= 1 << f;
      }
      orders++;
      return;
    }
    left.forEach((f, i) => walk([...order, f], [...left.slice(0, i), ...left.slice(i + 1)]));
  };
  walk([], Array.from({ length: n }, (_, f) => f));
  return phi.map((p) => p / orders);
}

test('shapes-clip MM-SHAP on a 7-feature game converges to the exact Shapley values and is efficient', async () => {
  const text = 'a red circle';
  const pair = await pairOf(clipDir, text);
  const ids = wordIds(clipDir, text);
  const pixels = pair.image.pixels;
  // Features 0-2 the words, 3-6 the 32 x 32 quarters of the 64 x 64 input, row-major; hidden pixels are 0 (the mean).
  const coalitionValue = async (mask: number) => {
    const edited = ids.map((id, k) => (k >= 1 && k <= 3 && !((mask >> (k - 1)) & 1) ? 2 : id));
    const hidden = Float32Array.from(pixels);
    for (let q = 0; q < 4; q++) {
      if ((mask >> (3 + q)) & 1) continue;
      const [y0, x0] = [32 * Math.floor(q / 2), 32 * (q % 2)];
      for (let c = 0; c < 3; c++) for (let y = y0; y < y0 + 32; y++) hidden.fill(0, c * 4096 + y * 64 + x0, c * 4096 + y * 64 + x0 + 32);
    }
    return clipScore(hidden, edited);
  };
  const values = new Float64Array(128);
  for (let mask = 0; mask < 128; mask++) values[mask] = await coalitionValue(mask);
  const exact = shapleyOverOrders(7, values);

  const error = (report: { tokens: { value: number }[]; patches: number[] }) => {
    const estimate = [...report.tokens.map((t) => t.value), ...report.patches];
    return Math.max(...estimate.map((v, f) => Math.abs(v - exact[f])));
  };
  const authors = await pairMmShap(pair, { grid: 2 });
  const long = await pairMmShap(pair, { grid: 2, evaluations: 2000 * 15, seed: 1 });
  const scale = Math.max(...exact.map(Math.abs));
  console.log(`exact ${exact.map((v) => v.toFixed(4)).join(' ')}; max error: 10 permutations ${error(authors).toExponential(2)}, 2000 ${error(long).toExponential(2)} (largest |value| ${scale.toFixed(4)})`);
  assert.equal(authors.settings.permutations, 10);
  assert.equal(long.settings.permutations, 2000);
  assert.ok(error(long) < 0.02 * scale, `error ${error(long)} with 2000 permutations`);
  assert.ok(error(long) < error(authors), 'more permutations, a smaller error');
  for (const report of [authors, long]) {
    assert.ok(Math.abs(report.full - values[127]) < 1e-5 && Math.abs(report.empty - values[0]) < 1e-5);
    const sum = [...report.tokens.map((t) => t.value), ...report.patches].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - (report.full - report.empty)) < 1e-9, `efficiency: ${sum} vs ${report.full - report.empty}`);
  }
  const abs = exact.map(Math.abs);
  const tShap = (abs[0] + abs[1] + abs[2]) / abs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(long.tShap - tShap) < 0.02, `T-SHAP ${long.tShap} vs exact ${tShap}`);
  assert.ok(Math.abs(long.tShap + long.vShap - 1) < 1e-12);
});

test('MM-SHAP with the authors\' settings: a ceil(sqrt(5)) = 3 grid, 10 permutations, the departures said', async () => {
  const report = await pairMmShap(await pairOf(clipDir, 'a red circle'));
  assert.deepEqual([report.settings.grid, report.settings.gridRule, report.settings.permutations, report.settings.evaluations, report.patches.length], [3, 'authors', 10, 10 * 25, 9]);
  assert.equal(report.forwardPasses, 2 + 10 * 22);
  assert.ok(report.departures.some((d) => /cosine similarity/.test(d)) && report.departures.some((d) => /id 2/.test(d)));
  const again = await pairMmShap(await pairOf(clipDir, 'a red circle'), { maskId: 0 });
  assert.ok(!again.departures.some((d) => /id 0/.test(d)));
  console.log(`shapes-clip, scene-1, "a red circle": T-SHAP ${report.tShap.toFixed(3)}`);
});

test('settings out of range and a text of no words are refused', async () => {
  const pair = await pairOf(clipDir, 'a red circle');
  await assert.rejects(pairMmShap(pair, { grid: 65 }), /grid side 65 is not a whole number from 1 to 64/);
  await assert.rejects(pairMmShap(pair, { evaluations: 10 }), /10 evaluations are too few/);
  await assert.rejects(tokenOcclusion({ ...pair, text: '' }), /no tokens besides the start and end tokens/);
});
