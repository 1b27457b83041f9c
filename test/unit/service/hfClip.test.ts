// CLIP as transformers.js and Optimum ship it, made with Hugging Face's own CLIPModel by tools/fixtures/hfClip.py:
// the towers (and their `_fp16` / `_quantized` variants) and the one graph model.onnx. The product's pixels, token
// ids, probabilities, attention of both towers and patch alignment maps are compared with what HF computed
// (test/fixtures/hf-clip/reference.json); the variants with their own graphs run by plain onnxruntime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferenceService } from '../../../src/inference/service';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { loadTokenizer } from '../../../src/inference/model/tokenize';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import type { ModelVariant } from '../../../src/inference/model/onnxFiles';
import { cosine, softmax } from '../../support/reference';
import { hfFixture, idsTensor, imagePixels, maxDifference, plainOutput, type HfReference } from '../../support/hfFixture';
import { identityLastAttention } from '../../support/valuePathReference';

const fixture = hfFixture<HfReference & { imageEmbeds: number[]; textEmbeds: number[]; alignment: number[]; maskedTextAttention: number[][] }>('hf-clip');
const { dir, reference, images } = fixture;
const projection = 16;
const row = (flat: ArrayLike<number>, i: number) => Array.from(flat).slice(i * projection, (i + 1) * projection);

let service: InferenceService;
let work: string;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  work = mkdtempSync(join(tmpdir(), 'mmlens-hf-clip-'));
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the fixture without the graphs named (relative to onnx/). */
function copyWithout(name: string, files: string[]): string {
  const copy = join(work, name);
  cpSync(dir, copy, { recursive: true });
  for (const file of files) rmSync(join(copy, 'onnx', file));
  return copy;
}

test('pixels equal CLIPImageProcessor\'s (shortest-edge resize, centre crop) and ids its tokenizer\'s, padded to the longest', async () => {
  const folder = await loadModelFolder(dir);
  for (const name of reference.images) {
    const ours = await preprocessImage(join(dir, name), folder.preprocessor);
    assert.ok(maxDifference(ours.pixels, imagePixels(dir, name)) < 1e-5, name);
  }
  const batch = loadTokenizer(folder).encodeBatch(reference.texts);
  assert.deepEqual(Array.from(batch.ids, Number), reference.inputIds.flat());
});

test('analyze: HF\'s softmax probabilities, both towers\' attention and patch alignment maps, the scale read from model.onnx', async () => {
  const result = await service.analyze({ images, texts: reference.texts, includeAttention: true });
  assert.ok(Math.abs(result.logitScale - reference.logitScale) < 1e-4);
  reference.images.forEach((_, i) => {
    const cosines = reference.texts.map((_, j) => cosine(row(reference.imageEmbeds, i), row(reference.textEmbeds, j)));
    softmax(cosines, reference.logitScale).forEach((p, j) => assert.ok(Math.abs(result.probabilities[i][j] - p) < 1e-5, `probability ${i},${j}`));
  });
  assert.ok(maxDifference(result.probabilities.flat(), reference.probabilities) < 2e-3);
  result.attention!.vision!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.visionAttention[l]) < 1e-4, `vision layer ${l}`));
  result.attention!.text!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.textAttention[l]) < 1e-4, `text layer ${l}`));
  assert.equal(result.alignmentMethod, 'patchTokens');
  assert.ok(maxDifference(result.maps.alignment.flat(3), reference.alignment) < 1e-4, 'alignment = HF\'s post_layernorm + visual_projection per patch token');
});

test('model.onnx alone (Optimum\'s default export): HF\'s probabilities, attention and patch maps, its attention_mask fed', async () => {
  const copy = copyWithout('one-graph', readdirSync(join(dir, 'onnx')).filter((file) => file !== 'model.onnx'));
  const result = await service.analyze({ modelDir: copy, images, texts: reference.texts, includeAttention: true });
  assert.ok(maxDifference(result.probabilities.flat(), reference.probabilities) < 1e-5);
  result.attention!.vision!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.visionAttention[l]) < 1e-4, `vision layer ${l}`));
  // The one graph takes the attention mask, so its padding is masked as keys, as HF masks it with the mask given.
  result.attention!.text!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.maskedTextAttention[l]) < 1e-4, `text layer ${l}`));
  // No last_hidden_state output: the head (post_layernorm, visual_projection, the L2 normalisation) is applied from the
  // state the CLS token is selected from, inside the graph.
  assert.ok(maxDifference(result.maps.alignment.flat(3), reference.alignment) < 1e-4);
  for (const method of ['maskclip', 'values', 'clearclip'] as const) {
    const one = await service.analyze({ modelDir: copy, images, texts: reference.texts, alignment: method });
    const towers = await service.analyze({ images, texts: reference.texts, alignment: method });
    assert.equal(one.alignmentMethod, method);
    assert.ok(maxDifference(one.maps.alignment.flat(3), towers.maps.alignment.flat(3)) < 1e-5, `the ${method} maps of the one graph are the towers'`);
  }
});

test('MaskCLIP on HF\'s export is the patch-token map of that export with its last vision attention edited into the identity', async () => {
  const copy = copyWithout('identity-attention', []);
  const file = join(copy, 'onnx', 'vision_model.onnx');
  const tokens = (64 / 16) ** 2 + 1;
  writeFileSync(file, identityLastAttention(readFileSync(file), tokens));
  const maskclip = await service.analyze({ images, texts: reference.texts, alignment: 'maskclip' });
  const identity = await service.analyze({ modelDir: copy, images, texts: reference.texts });
  assert.deepEqual([maskclip.alignmentMethod, identity.alignmentMethod], ['maskclip', 'patchTokens']);
  assert.ok(maxDifference(maskclip.maps.alignment.flat(3), identity.maps.alignment.flat(3)) < 1e-5);
  const values = await service.analyze({ images, texts: reference.texts, alignment: 'values' });
  assert.ok(maxDifference(values.maps.alignment.flat(3), maskclip.maps.alignment.flat(3)) > 1e-2, 'the residual and the MLP change the map');
});

for (const variant of ['fp16', 'quantized'] as ModelVariant[]) {
  test(`the ${variant} towers: their own graphs' scores, HF's attention within the variant's precision`, async (t) => {
    const variantService = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir, modelVariant: variant });
    try {
      const result = await variantService.analyze({ images, texts: reference.texts, includeAttention: true });
      const file = (tower: string) => join(dir, `onnx/${tower}_${variant}.onnx`);
      const imageEmbeds = await plainOutput(file('vision_model'), { pixel_values: new ort.Tensor('float32', fixture.pixels(), [2, 3, 64, 64]) }, 'image_embeds');
      const textEmbeds = await plainOutput(file('text_model'), { input_ids: idsTensor(reference.inputIds) }, 'text_embeds');
      reference.images.forEach((_, i) => reference.texts.forEach((_, j) => {
        assert.ok(Math.abs(result.similarity[i][j] - cosine(row(imageEmbeds, i), row(textEmbeds, j))) < 1e-5, `cosine ${i},${j}`);
      }));
      const gap = maxDifference(result.probabilities.flat(), reference.probabilities);
      const attentionGap = Math.max(...result.attention!.vision!.map((layer, l) => maxDifference(layer.flat(3), reference.visionAttention[l])));
      t.diagnostic(`${variant} vs HF fp32: probabilities differ by at most ${gap.toExponential(2)}, attention by ${attentionGap.toExponential(2)}`);
      assert.ok(attentionGap < (variant === 'fp16' ? 5e-3 : 5e-2));
      if (variant === 'fp16') {
        assert.ok(maxDifference(result.maps.alignment.flat(3), reference.alignment) < 1e-2, 'patch maps through the float16 head');
      } else {
        // onnxruntime's dynamic quantization quantizes the projection too, so it is no longer a norm + projection head.
        assert.equal(result.maps.alignment.length, 0);
        assert.match(result.model.notices.join(' '), /Patch alignment maps are unavailable: .*DynamicQuantizeLinear/);
      }
    } finally {
      await variantService.dispose();
    }
  });
}

test('inspect: a two-tower anatomy with both towers\' layers, and the one graph\'s towers apart', async () => {
  const towers = await service.inspect(dir);
  assert.match(towers.anatomy.description, /^Two-tower \(dual encoder\): 2 vision-only and 2 text-only attention layers; no layer attends across the modalities/);
  const copy = copyWithout('inspect-one-graph', ['vision_model.onnx', 'text_model.onnx']);
  const one = await service.inspect(copy);
  assert.deepEqual(one.taps.map((t) => `${t.tower}:${t.queries}`), ['vision:17', 'vision:17', 'text:2', 'text:2']);
  assert.equal(one.anatomy.description, towers.anatomy.description);
});
