// The HF CLIP towers in transformers.js's two 4-bit forms (tools/fixtures/blockQuantize.py): `_q4` (com.microsoft
// MatMulNBits, block 32, symmetric) and `_bnb4` (com.microsoft MatMulBnb4, NF4, block 64), run on onnxruntime-node's
// CPU provider with `modelVariant`. Scores, every layer's attention and the patch maps are compared with plain
// onnxruntime runs of the same files (the attention read from each Softmax, the patch embeddings by feeding the
// head every token); the gap to HF's float32 outputs is printed and loosely bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferenceService } from '../../../src/inference/service';
import type { ModelVariant } from '../../../src/inference/model/onnxFiles';
import { cosine } from '../../support/reference';
import { hfFixture, idsTensor, maxDifference, plainOutput, type HfReference } from '../../support/hfFixture';
import { everyTokenEmbeds, softmaxOutputs } from '../../support/plainGraphRuns';

const fixture = hfFixture<HfReference & { alignment: number[]; imageEmbeds: number[]; textEmbeds: number[] }>('hf-clip');
const { dir, reference, images } = fixture;
const projection = 16;
const tokens = (64 / 16) ** 2 + 1;
const slice = (flat: Float32Array, i: number) => Array.from(flat.subarray(i * projection, (i + 1) * projection));
const hfRow = (flat: number[], i: number) => flat.slice(i * projection, (i + 1) * projection);

/**
 * How far each variant may be from HF's float32. Loose: every weight of this width-32 random model has 16 levels
 * (a block is a whole column or two), its embeddings have 16 dimensions and the logit scale of 20 sharpens the
 * softmax; measured 0.14 / 0.23 (q4) and 0.23 / 0.30 (bnb4) at most on the cosines / patch maps.
 */
const loose = { similarity: 0.35, probabilities: 0.35, attention: 0.03, alignment: 0.45 };

let services: Record<string, InferenceService>;
before(() => {
  services = Object.fromEntries(['q4', 'bnb4'].map((v) => [v, new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir, modelVariant: v as ModelVariant })]));
});
after(async () => {
  await Promise.all(Object.values(services).map((s) => s.dispose()));
});

for (const [variant, op] of [['q4', 'MatMulNBits'], ['bnb4', 'MatMulBnb4']] as const) {
  const file = (tower: string) => join(dir, `onnx/${tower}_${variant}.onnx`);
  const pixels = () => ({ pixel_values: new ort.Tensor('float32', fixture.pixels(), [2, 3, 64, 64]) });
  const ids = () => ({ input_ids: idsTensor(reference.inputIds) });

  test(`${variant} (${op}): the notes name the files that ran; scores and every layer's attention are those of the files`, async (t) => {
    const result = await services[variant].analyze({ images, texts: reference.texts, includeAttention: true });
    for (const tower of ['vision_model', 'text_model']) {
      assert.match(result.model.notices.join(' '), new RegExp(`Using onnx/${tower}_${variant}\\.onnx, the ${variant} variant asked for: its weights are 4-bit`));
    }
    const imageEmbeds = await plainOutput(file('vision_model'), pixels(), 'image_embeds');
    const textEmbeds = await plainOutput(file('text_model'), ids(), 'text_embeds');
    reference.images.forEach((_, i) => reference.texts.forEach((_, j) => {
      assert.ok(Math.abs(result.similarity[i][j] - cosine(slice(imageEmbeds, i), slice(textEmbeds, j))) < 1e-5, `cosine ${i},${j}`);
    }));
    const vision = await softmaxOutputs(file('vision_model'), pixels());
    const text = await softmaxOutputs(file('text_model'), ids());
    assert.deepEqual([result.attention!.vision!.length, result.attention!.text!.length], [vision.length, text.length]);
    result.attention!.vision!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), vision[l]) < 1e-5, `vision layer ${l}`));
    result.attention!.text!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), text[l]) < 1e-5, `text layer ${l}`));

    const hfCosines = reference.images.flatMap((_, i) => reference.texts.map((_, j) => cosine(hfRow(reference.imageEmbeds, i), hfRow(reference.textEmbeds, j))));
    const gaps = {
      similarity: maxDifference(result.similarity.flat(), hfCosines),
      probabilities: maxDifference(result.probabilities.flat(), reference.probabilities),
      attention: Math.max(...result.attention!.vision!.map((layer, l) => maxDifference(layer.flat(3), reference.visionAttention[l]))),
      alignment: maxDifference(result.maps.alignment.flat(3), reference.alignment),
    };
    t.diagnostic(`${variant} vs HF fp32, largest differences: ${Object.entries(gaps).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    for (const [key, value] of Object.entries(gaps) as [keyof typeof loose, number][]) assert.ok(value < loose[key], `${key} within ${loose[key]} of HF's fp32`);
  });

  test(`${variant}: patch maps through the 4-bit head (${op} is row-wise) are the file's own head applied to every patch`, async () => {
    const result = await services[variant].analyze({ images, texts: reference.texts });
    assert.equal(result.alignmentMethod, 'patchTokens');
    const dense = await everyTokenEmbeds(file('vision_model'), pixels(), 'last_hidden_state', 'image_embeds');
    const textEmbeds = await plainOutput(file('text_model'), ids(), 'text_embeds');
    const expected = reference.images.flatMap((_, i) => reference.texts.flatMap((_, j) => Array.from({ length: tokens - 1 }, (_, p) => (
      cosine(slice(dense, i * tokens + p + 1), slice(textEmbeds, j))
    ))));
    assert.ok(maxDifference(result.maps.alignment.flat(3), expected) < 1e-5);
    for (const method of ['maskclip', 'values', 'clearclip'] as const) {
      const surgery = await services[variant].analyze({ images, texts: reference.texts, alignment: method });
      assert.equal(surgery.alignmentMethod, method, `${method} works through ${op}`);
      assert.equal(surgery.maps.alignment.flat(3).length, expected.length);
    }
  });

  test(`${variant}: zero-shot runs the same files and gives analyze's probabilities`, async () => {
    const labels = reference.texts;
    const zeroShot = await services[variant].zeroShot({ images, labels, templates: ['{label}'] });
    assert.match(zeroShot.model.notices.join(' '), new RegExp(`vision_model_${variant}\\.onnx`));
    const analyzed = await services[variant].analyze({ images, texts: labels });
    zeroShot.images.forEach((image, i) => assert.ok(maxDifference(image.probabilities, analyzed.probabilities[i]) < 1e-5, `image ${i}`));
  });
}
