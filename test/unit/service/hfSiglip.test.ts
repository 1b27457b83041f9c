// SigLIP as transformers.js ships it (towers with pooler_output beside the one-graph model.onnx), made with
// Hugging Face's own modelling code by tools/fixtures/hfSiglip.py: the product's pixels, token ids, scores,
// attention and attention-pooling map are compared with what HF computed (test/fixtures/hf-siglip/reference.json);
// the `_fp16` and `_quantized` towers (transformers.js's float16 and dynamic int8 forms) with their own graphs run
// by plain onnxruntime; and the one-graph model.onnx alone (Optimum's default export) seen as both towers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferenceService } from '../../../src/inference/service';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { loadTokenizer } from '../../../src/inference/model/tokenize';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { readGraph } from '../../../src/inference/runtime/tappedGraph';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { readLogitHead } from '../../../src/inference/onnx/logitHead';
import { cosine } from '../../support/reference';
import { hfFixture, idsTensor, imagePixels, maxDifference, plainOutput, type HfReference } from '../../support/hfFixture';

const fixture = hfFixture<HfReference & { logitBias: number; imagePooled: number[]; textPooled: number[]; poolingAttention: number[] }>('hf-siglip');
const { dir, reference, images } = fixture;
const dim = 32;
const heads = 4;
const patches = 16;
const row = (flat: number[], i: number) => flat.slice(i * dim, (i + 1) * dim);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

let service: InferenceService;
let work: string;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  work = mkdtempSync(join(tmpdir(), 'mmlens-siglip-'));
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});


test('pixels equal SiglipImageProcessor\'s (exact resize, no centre crop) on an upscaled and a downscaled image', async () => {
  const folder = await loadModelFolder(dir);
  for (const name of reference.images) {
    const ours = await preprocessImage(join(dir, name), folder.preprocessor);
    const theirs = imagePixels(dir, name);
    assert.deepEqual(ours.outputSize, { height: 64, width: 64 });
    // One level of 255 is 2/255 after SigLIP's normalisation; the resize is Pillow's, so far less is expected.
    assert.ok(maxDifference(ours.pixels, theirs) < 1e-5, name);
  }
});

test('texts are padded to max_length with </s>, as SigLIP was trained, whatever the batch holds', async () => {
  const tokenizer = loadTokenizer(await loadModelFolder(dir));
  const batch = tokenizer.encodeBatch(reference.texts, { padTo: 16 });
  assert.deepEqual(Array.from(batch.ids, Number), reference.inputIds.flat());
  const result = await service.analyze({ images: images.slice(0, 1), texts: ['a blue square'], includeAttention: true });
  assert.equal(result.attention!.text![0][0][0].length, 16, 'one short text is still padded to the 16 positions');
});

test('analyze: sigmoid probabilities, cosines and attention equal HF\'s, with the scale and bias read from model.onnx', async () => {
  const result = await service.analyze({ images, texts: reference.texts, includeAttention: true });
  assert.ok(Math.abs(result.logitScale - reference.logitScale) < 1e-5, 'exp of the float32 weight');
  reference.images.forEach((_, i) => reference.texts.forEach((_, j) => {
    const expected = cosine(row(reference.imagePooled, i), row(reference.textPooled, j));
    assert.ok(Math.abs(result.similarity[i][j] - expected) < 1e-5, `cosine ${i},${j}`);
    const probability = sigmoid(expected * reference.logitScale + reference.logitBias);
    assert.ok(Math.abs(result.probabilities[i][j] - probability) < 1e-5, `probability ${i},${j}`);
    assert.ok(Math.abs(result.probabilities[i][j] - reference.probabilities[i * reference.texts.length + j]) < 2e-3);
  }));
  const vision = result.attention!.vision!;
  assert.equal(vision.length, 2, 'two layers: the pooling head is not one');
  vision.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.visionAttention[l]) < 1e-4, `vision layer ${l}`));
  result.attention!.text!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.textAttention[l]) < 1e-4, `text layer ${l}`));
  assert.equal(result.maps.alignment.length, 0);
  assert.match(result.model.notices.join(' '), /SigLIP pools the patch tokens with an attention head/);
});

test('the attention-pooling map is the mean over heads of the probe\'s attention HF computes', async () => {
  const result = await service.analyze({ images, texts: ['a blue square'] });
  reference.images.forEach((_, i) => {
    const expected = Array.from({ length: patches }, (_, p) => {
      let sum = 0;
      for (let h = 0; h < heads; h++) sum += reference.poolingAttention[(i * heads + h) * patches + p];
      return sum / heads;
    });
    const map = result.maps.pooling![i].flat();
    assert.ok(maxDifference(map, expected) < 1e-5, `image ${i}`);
    assert.ok(Math.abs(map.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'a softmax over the patches sums to 1');
  });
});

test('zero-shot says it scores by sigmoid per label, with the trained bias', async () => {
  const result = await service.zeroShot({ images: images.slice(1), labels: ['blue square', 'cat on the left'], templates: ['a {label}'] });
  assert.deepEqual([result.scoring, result.logitBias], ['sigmoid', reference.logitBias]);
  assert.ok(Math.abs(result.logitScale! - reference.logitScale) < 1e-5);
  const sum = result.images[0].probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) > 1e-3, 'independent sigmoids, not a softmax over the labels');
});

test('zero-shot without templates uses the model\'s own: SigLIP\'s "This is a photo of {label}."', async () => {
  const result = await service.zeroShot({ images: images.slice(1), labels: ['blue square', 'cat'] });
  assert.deepEqual(result.templates, ['This is a photo of {label}.']);
});

test('the pooling head is found apart from the layers, and the logit head is read from the one-graph export', async () => {
  const scan = findAttentionTaps(await readGraph(join(dir, 'onnx/vision_model.onnx')));
  assert.deepEqual([scan.taps.length, scan.pooling.length], [2, 1]);
  const head = readLogitHead(await readGraph(join(dir, 'onnx/model.onnx')));
  assert.ok(head && Math.abs(head.scale - reference.logitScale) < 1e-5 && head.bias === reference.logitBias);
  assert.equal(readLogitHead(await readGraph(join(dir, 'onnx/vision_model.onnx'))), undefined);
});

test('without model.onnx the initial scale and bias are used, and the result says so', async () => {
  const copy = join(work, 'towers-only');
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'onnx/model.onnx'));
  const result = await service.analyze({ modelDir: copy, images: images.slice(0, 1), texts: ['a blue square'] });
  assert.equal(result.logitScale, 10);
  assert.match(result.model.notices.join(' '), /initial values \(scale 10, bias -10\).*indicative only/);
  const expected = sigmoid(result.similarity[0][0] * 10 - 10);
  assert.ok(Math.abs(result.probabilities[0][0] - expected) < 1e-6);
});

/** Pooled embeddings of a variant's towers, run by plain onnxruntime sessions without taps. */
async function plainPooled(variant: string): Promise<{ image: Float32Array; text: Float32Array }> {
  const file = (tower: string) => join(dir, `onnx/${tower}_${variant}.onnx`);
  return {
    image: await plainOutput(file('vision_model'), { pixel_values: new ort.Tensor('float32', fixture.pixels(), [2, 3, 64, 64]) }, 'pooler_output'),
    text: await plainOutput(file('text_model'), { input_ids: idsTensor(reference.inputIds) }, 'pooler_output'),
  };
}

// How far each variant's attention and probabilities may be from HF's float32: float16 rounding, int8 weights and
// activations, or 4-bit weights (MatMulNBits; MatMulBnb4's NF4) of this width-32 random model. onnxruntime's int8
// kernels round differently by CPU (the attention was 0.12 off on an AMD EPYC with AVX-512 VNNI, under 0.05 on the
// Intel machines before it); each variant's exact check is against its own graph, above.
const variantTolerance = { fp16: 5e-3, quantized: 0.25, q4: 0.25, bnb4: 0.25 } as const;

for (const [variant, tolerance] of Object.entries(variantTolerance) as [keyof typeof variantTolerance, number][]) {
  test(`the ${variant} towers, when asked for: scores of their own graphs, attention and pooling map read in float32`, async (t) => {
    const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir, modelVariant: variant });
    try {
      const result = await service.analyze({ images, texts: reference.texts, includeAttention: true });
      assert.match(result.model.notices.join(' '), new RegExp(`Using onnx/vision_model_${variant}\\.onnx, the ${variant} variant asked for`));
      const plain = await plainPooled(variant);
      let gap = 0;
      reference.images.forEach((_, i) => reference.texts.forEach((_, j) => {
        const expected = cosine(row(Array.from(plain.image), i), row(Array.from(plain.text), j));
        assert.ok(Math.abs(result.similarity[i][j] - expected) < 1e-5, `cosine ${i},${j}`);
        gap = Math.max(gap, Math.abs(result.probabilities[i][j] - reference.probabilities[i * reference.texts.length + j]));
      }));
      const attentionGap = Math.max(...result.attention!.vision!.map((layer, l) => maxDifference(layer.flat(3), reference.visionAttention[l])));
      assert.ok(attentionGap < tolerance, `attention within ${tolerance} of HF's float32 (${attentionGap})`);
      assert.equal(result.maps.pooling?.length, 2);
      t.diagnostic(`${variant} vs HF fp32: probabilities differ by at most ${gap.toExponential(2)}, attention by ${attentionGap.toExponential(2)}`);
      assert.ok(gap < tolerance);
    } finally {
      await service.dispose();
    }
  });
}

test('model.onnx alone (Optimum\'s default export) is both towers: HF\'s scores and each tower\'s own attention', async () => {
  const copy = join(work, 'one-graph');
  cpSync(dir, copy, { recursive: true });
  for (const tower of ['vision_model', 'text_model']) for (const suffix of ['', '_fp16', '_quantized', '_q4', '_bnb4']) rmSync(join(copy, `onnx/${tower}${suffix}.onnx`));
  const result = await service.analyze({ modelDir: copy, images, texts: reference.texts, includeAttention: true });
  assert.ok(maxDifference(result.probabilities.flat(), reference.probabilities) < 1e-5);
  assert.equal(result.attention!.vision!.length, 2);
  result.attention!.vision!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.visionAttention[l]) < 1e-4, `vision layer ${l}`));
  result.attention!.text!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.textAttention[l]) < 1e-4, `text layer ${l}`));
  assert.equal(result.maps.pooling?.length, 2);
  const inspected = await service.inspect(copy);
  assert.deepEqual(inspected.taps.map((t) => t.tower), ['vision', 'vision', 'text', 'text']);
  assert.match(inspected.architectureGuess, /Both towers are one graph \(onnx\/model\.onnx\)/);
});

test('a truncated model.onnx beside the towers is a note, not a failed load: the towers run with the stand-in scale and bias', async () => {
  const copy = join(work, 'broken-one-graph');
  cpSync(dir, copy, { recursive: true });
  writeFileSync(join(copy, 'onnx/model.onnx'), readFileSync(join(dir, 'onnx/model.onnx')).subarray(0, 5000));
  const result = await service.analyze({ modelDir: copy, images: images.slice(0, 1), texts: ['a blue square'] });
  assert.equal(result.logitScale, 10);
  assert.match(result.model.notices.join(' '), /onnx\/model\.onnx: is not a valid ONNX model .* Its logit scale and bias were not read; the towers run without it\./);
});
