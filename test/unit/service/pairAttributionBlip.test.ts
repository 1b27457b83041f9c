// Text-token occlusion on Hugging Face's BLIP matcher (test/fixtures/hf-blip, a cross-attention model): each word's
// drop against the plain graph run here on HF's own token ids with that word made [PAD] (id 0, the authors' mask)
// and on HF's pixels; MM-SHAP's efficiency on the same pair.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { InferenceService } from '../../../src/inference/service';
import { pairMmShap, tokenOcclusion, type AttributionPair } from '../../../src/inference/tasks/pairAttribution';
import { hfFixture, idsTensor, imagePixels, plainOutput, type HfReference } from '../../support/hfFixture';

const { dir, reference, images } = hfFixture<HfReference>('hf-blip');
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
after(() => service.dispose());

async function pair(text: string): Promise<AttributionPair> {
  const model = await service.model();
  const target = await service.perturbation({ image: images[0], texts: [text], text: 0, score: 'itm' });
  return { model, image: target.source, imagePath: images[0], text };
}

/** softmax(itm_score)[1] of the untouched graph for `ids` with HF's pixels of the first image. */
async function itm(ids: number[]): Promise<number> {
  const pixels = imagePixels(dir, reference.images[0]);
  const side = Math.sqrt(pixels.length / 3);
  const feeds = { input_ids: idsTensor([ids]), attention_mask: idsTensor([ids.map(() => 1)]), pixel_values: new ort.Tensor('float32', pixels, [1, 3, side, side]) };
  const [no, yes] = await plainOutput(join(dir, 'onnx', 'model.onnx'), feeds, 'itm_score');
  return 1 / (1 + Math.exp(no - yes));
}

test('BLIP: each word\'s occlusion drop is the match probability minus that with the word made [PAD]', async () => {
  const ids = reference.inputIds[1].filter((id) => id !== 0); // "a blue square": [CLS] a blue square [SEP]
  const report = await tokenOcclusion(await pair(reference.texts[1]));
  assert.equal(report.maskId, 0);
  assert.deepEqual(report.tokens.map((t) => t.id), ids.slice(1, -1));
  const baseline = await itm(ids);
  assert.ok(Math.abs(report.baseline - baseline) < 1e-5);
  for (const token of report.tokens) {
    const drop = baseline - (await itm(ids.map((id, k) => (k === token.index ? 0 : id))));
    assert.ok(Math.abs(token.value - drop) < 1e-5, `${token.token}: ${token.value} vs ${drop}`);
  }
});

test('BLIP: MM-SHAP\'s values sum to the pair\'s score minus the all-hidden score', async () => {
  const report = await pairMmShap(await pair(reference.texts[1]), { grid: 2 });
  const sum = [...report.tokens.map((t) => t.value), ...report.patches].reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - (report.full - report.empty)) < 1e-9);
  assert.ok(Math.abs(report.full - (await itm(reference.inputIds[1].filter((id) => id !== 0)))) < 1e-5);
});
