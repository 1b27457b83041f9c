// BLIP's image-text matcher as Hugging Face computes it (BlipForImageTextRetrieval, one graph, made by
// tools/fixtures/hfBlip.py): the product's pixels, ITM probabilities, the three attention streams (vision
// self-attention, text self-attention, text-to-image cross-attention) and the cross-attention maps, compared with
// HF's outputs (test/fixtures/hf-blip/reference.json) and with maps averaged here from HF's cross-attention.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { softmax } from '../../support/reference';
import { hfFixture, imagePixels, maxDifference, type HfReference } from '../../support/hfFixture';

const fixture = hfFixture<HfReference & { itmLogits: number[]; itm: number[]; crossAttention: number[][] }>('hf-blip');
const { dir, reference, images } = fixture;
const [heads, patches, imageTokens] = [4, 16, 17];
const specials = new Set([0, 2, 3]); // [PAD], [CLS], [SEP]
const texts = reference.texts.length;

let service: InferenceService;
before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
});
after(() => service.dispose());

/** Text j's cross-attention map on image i, averaged here from HF's tensors: layers, heads, its own tokens, patches. */
function expectedMap(i: number, j: number): number[] {
  const ids = reference.inputIds[j];
  const own = ids.map((_, t) => t).filter((t) => !specials.has(ids[t]));
  const length = ids.length;
  const map = new Array<number>(patches).fill(0);
  for (const layer of reference.crossAttention) {
    const base = (i * texts + j) * heads * length * imageTokens;
    for (let h = 0; h < heads; h++) {
      for (const t of own) {
        for (let p = 0; p < patches; p++) map[p] += layer[base + (h * length + t) * imageTokens + 1 + p] / (reference.crossAttention.length * heads * own.length);
      }
    }
  }
  return map;
}

test('pixels equal BlipImageProcessor\'s: an exact resize, no centre crop', async () => {
  const folder = await loadModelFolder(dir);
  for (const name of reference.images) {
    const ours = await preprocessImage(join(dir, name), folder.preprocessor);
    assert.deepEqual(ours.outputSize, { height: 64, width: 64 });
    assert.ok(maxDifference(ours.pixels, imagePixels(dir, name)) < 1e-5, name);
  }
});

test('analyze: HF\'s matching probabilities, each stream\'s attention, and the cross-attention maps', async () => {
  const result = await service.analyze({ images, texts: reference.texts, includeAttention: true });
  assert.equal(result.model.architecture, 'crossAttention');
  assert.ok(maxDifference(result.itm!.flat(), reference.itm) < 1e-5);
  const logOdds = reference.texts.map((_, j) => j);
  reference.images.forEach((_, i) => {
    const odds = logOdds.map((j) => reference.itmLogits[2 * (i * texts + j) + 1] - reference.itmLogits[2 * (i * texts + j)]);
    softmax(odds, 1).forEach((p, j) => assert.ok(Math.abs(result.probabilities[i][j] - p) < 1e-5, `probability ${i},${j}`));
  });
  const { vision, text, cross } = result.attention!;
  assert.deepEqual([vision!.length, text!.length, cross!.length], [2, 2, 2]);
  text!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.textAttention[l]) < 1e-4, `text layer ${l}`));
  cross!.forEach((layer, l) => assert.ok(maxDifference(layer.flat(3), reference.crossAttention[l]) < 1e-4, `cross layer ${l}`));
  // The vision encoder does not see the text: one item per image (pair i x texts of HF's batch).
  vision!.forEach((layer, l) => reference.images.forEach((_, i) => {
    const size = heads * imageTokens * imageTokens;
    assert.ok(maxDifference(layer[i].flat(2), reference.visionAttention[l].slice(i * texts * size, (i * texts + 1) * size)) < 1e-4, `vision layer ${l} image ${i}`);
  }));
  reference.images.forEach((_, i) => reference.texts.forEach((_, j) => {
    assert.ok(maxDifference(result.maps.alignment[i][j].flat(), expectedMap(i, j)) < 1e-5, `map ${i},${j}`);
  }));
  assert.equal(result.alignmentMethod, 'crossAttention');
  assert.equal(result.maps.rollout.length, 2);
});

test('zero-shot scores each label by the matching head, and occlusion explains the matching probability', async () => {
  const zero = await service.zeroShot({ images: images.slice(1), labels: reference.texts, templates: ['{label}'] });
  assert.equal(zero.scoring, 'itm');
  assert.ok(maxDifference(zero.images[0].probabilities, reference.itm.slice(texts, 2 * texts)) < 1e-5);
  const target = await service.perturbation({ image: images[0], texts: reference.texts, text: 2 });
  assert.equal(target.kind, 'itm');
  const [score] = await target.score(Float32Array.from(imagePixels(dir, reference.images[0])), 1);
  assert.ok(Math.abs(score - reference.itm[2]) < 1e-5);
});

test('inspect: the taps by stream and a one-way cross-attention anatomy; the probes say they do not take this family', async () => {
  const inspected = await service.inspect(dir);
  assert.deepEqual(inspected.taps.map((t) => t.tower), ['vision', 'vision', 'text', 'cross', 'text', 'cross']);
  assert.equal(inspected.anatomy.family, 'crossAttention');
  assert.match(inspected.architectureGuess, /2 vision self-attention layers, then a text encoder of 2 self-attention and 2 cross-attention layers/);
  // Refused before the manifest is read: this one does not even exist.
  await assert.rejects(service.probe({ manifest: { path: join(dir, 'none.jsonl') } } as never), (e: unknown) => e instanceof LensError && e.kind === 'badInput'
    && /The dataset probes do not take hf-blip, a crossAttention model \(they are not written for cross-attention matchers such as BLIP yet/.test(e.message));
});
