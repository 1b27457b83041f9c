// Text-token occlusion on Hugging Face's SigLIP (test/fixtures/hf-siglip: texts padded to max length with </s>, no
// start token): each word's drop against the plain towers run here on HF's own padded ids with that word made id 0
// (<pad>, the authors' mask, since SigLIP's pad token is its end token) and on HF's pixels.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { InferenceService } from '../../../src/inference/service';
import { tokenOcclusion } from '../../../src/inference/tasks/pairAttribution';
import { hfFixture, idsTensor, imagePixels, plainOutput, type HfReference } from '../../support/hfFixture';

const { dir, reference, images } = hfFixture<HfReference>('hf-siglip');
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
after(() => service.dispose());

const cosine = (a: Float32Array, b: Float32Array) => {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
  return ab / Math.sqrt(aa * bb);
};

test('SigLIP: each word\'s drop is the cosine minus that with the word made <pad>, padding to max length kept', async () => {
  const text = reference.texts[1];
  const ids = reference.inputIds[1];
  const model = await service.model();
  const target = await service.perturbation({ image: images[0], texts: [text], text: 0, score: 'similarity' });
  const report = await tokenOcclusion({ model, image: target.source, imagePath: images[0], text });
  assert.equal(report.maskId, 0);
  assert.deepEqual(report.tokens.map((t) => [t.index, t.id]), [[0, ids[0]], [1, ids[1]], [2, ids[2]]]);
  const pixels = imagePixels(dir, reference.images[0]);
  const side = Math.sqrt(pixels.length / 3);
  const image = await plainOutput(join(dir, 'onnx', 'vision_model.onnx'), { pixel_values: new ort.Tensor('float32', pixels, [1, 3, side, side]) }, 'pooler_output');
  const score = async (row: number[]) => cosine(image, await plainOutput(join(dir, 'onnx', 'text_model.onnx'), { input_ids: idsTensor([row]) }, 'pooler_output'));
  const baseline = await score(ids);
  assert.ok(Math.abs(report.baseline - baseline) < 1e-5, `${report.baseline} vs ${baseline}`);
  for (const token of report.tokens) {
    const drop = baseline - (await score(ids.map((id, k) => (k === token.index ? 0 : id))));
    assert.ok(Math.abs(token.value - drop) < 1e-5, `${token.index}: ${token.value} vs ${drop}`);
  }
});
