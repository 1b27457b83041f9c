// ViLT's image-text matcher as Hugging Face computes it (ViltForImageAndTextRetrieval, one graph, made by
// tools/fixtures/hfVilt.py in HF's own folder layout, nothing added): the product's matching probabilities and joint
// attention against HF's forward (whose patches HF draws in a random order; the reference puts them back in row-major
// order), each image on its own grid, and the errors of folders that do not fit. Pixels: test/unit/inference/viltResize.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import { hfFixture, imagePixels, maxDifference, type HfReference } from '../../support/hfFixture';

interface ViltReference extends HfReference {
  sizes: [number, number][];
  logits: number[];
  itm: number[];
  /** Per image, per layer, [text, head, query, key]. */
  attention: number[][][];
}

const fixture = hfFixture<ViltReference>('hf-vilt');
const { dir, reference, images } = fixture;
const texts = reference.texts.length;
const L = 8;
let service: InferenceService;
let work: string;

before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: dir });
  work = mkdtempSync(join(tmpdir(), 'mmlens-vilt-'));
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the fixture whose config.json is `edit` of HF's. */
function editedCopy(name: string, edit: (config: Record<string, unknown>) => Record<string, unknown>): string {
  const copy = join(work, name);
  cpSync(dir, copy, { recursive: true });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(copy, 'config.json'), JSON.stringify(edit(config)));
  return copy;
}

test('analyze: HF\'s matching probabilities and every layer\'s joint attention, each image on its own grid', async () => {
  for (const [i, image] of images.entries()) {
    const result = await service.analyze({ images: [image], texts: reference.texts, includeAttention: true });
    const [height, width] = reference.sizes[i];
    const [rows, cols] = [height / 16, width / 16];
    assert.equal(result.model.architecture, 'singleStream');
    assert.deepEqual(result.grid, { rows, cols });
    assert.deepEqual(result.model.tokenLayout, { tokens: L + 1 + rows * cols, textStart: 0, textEnd: L, imageStart: L, imageTokens: 1 + rows * cols, imageCls: L, firstPatch: L + 1, itmToken: 0 });
    const itmGap = maxDifference(result.itm![0], reference.itm.slice(i * texts, (i + 1) * texts));
    assert.ok(itmGap < 2e-3, `itm gap ${itmGap}`);
    assert.ok(maxDifference(result.similarity[0], reference.logits.slice(i * texts, (i + 1) * texts)) < 2e-3);
    const joint = result.attention!.joint!;
    assert.equal(joint.length, 2);
    joint.forEach((layer, l) => {
      const gap = maxDifference(layer.flat(3), reference.attention[i][l]);
      assert.ok(gap < 1e-4, `image ${i} layer ${l}: attention gap ${gap}`);
    });
    assert.deepEqual(result.texts.map((t) => t.tokens.length), reference.inputIds.map((ids) => ids.filter((id) => id !== 0).length));
    assert.equal(result.maps.alignment[0].length, texts);
    assert.deepEqual([result.maps.rollout[0].length, result.maps.rollout[0][0].length], [rows, cols]);
  }
});

test('text attention: each text token\'s attention on the patches of the image\'s own grid, the heads of HF\'s last layer averaged', async () => {
  const result = await service.analyze({ images, texts: reference.texts.slice(2), textAttention: true, headStats: true }).catch((e: unknown) => e);
  assert.ok(result instanceof LensError && /was preprocessed to \d+x\d+ and .* to \d+x\d+: this model keeps each image.s aspect ratio/.test(result.message) && /one at a time/.test(result.message), 'two sizes in one analysis are refused');
  const analysis = await service.analyze({ images: [images[1]], texts: reference.texts, textAttention: true, headStats: true });
  const [rows, cols] = [4, 6];
  const tokens = L + 1 + rows * cols;
  const last = reference.attention[1][1];
  analysis.textAttention!.forEach((entry, j) => {
    const n = reference.inputIds[j].filter((id) => id !== 0).length;
    assert.equal(entry.tokens, n);
    for (let t = 0; t < n; t++) {
      const expected = Array.from({ length: rows * cols }, (_, p) => [0, 1, 2, 3].reduce((s, h) => s + last[((j * 4 + h) * tokens + t) * tokens + L + 1 + p], 0) / 4);
      assert.ok(maxDifference(entry.toImage![0][t].flat(), expected) < 1e-4, `text ${j} token ${t}`);
    }
  });
  assert.deepEqual([analysis.headStats!.joint!.length, analysis.headStats!.joint![0].length, analysis.headStats!.joint![0][0].length], [texts, 2, 4]);
});

test('zero-shot scores each label by the rank logit\'s sigmoid, and occlusion explains it on the image\'s own grid', async () => {
  const zero = await service.zeroShot({ images: images.slice(1), labels: reference.texts, templates: ['{label}'] });
  assert.equal(zero.scoring, 'itm');
  assert.ok(maxDifference(zero.images[0].probabilities, reference.itm.slice(texts, 2 * texts)) < 2e-3);
  const target = await service.perturbation({ image: images[1], texts: reference.texts, text: 2 });
  assert.equal(target.kind, 'itm');
  assert.deepEqual([target.image.rows, target.image.cols], [4, 6]);
  const [score] = await target.score(Float32Array.from(imagePixels(dir, reference.images[1])), 1);
  assert.ok(Math.abs(score - reference.itm[texts + 2]) < 2e-3);
});

test('probe: every distinct caption with the image by HF\'s logit, and the cross-modal attention share of the matches', async () => {
  const manifest = join(work, 'set.jsonl');
  writeFileSync(manifest, reference.texts.map((caption) => JSON.stringify({ image: reference.images[1], caption })).join('\n'));
  const result = await service.probe({ manifest: { path: manifest, imageRoot: dir } });
  assert.equal(result.scoreKind, 'itmLogOdds');
  assert.ok(maxDifference(result.scores![0], reference.logits.slice(texts, 2 * texts)) < 2e-3);
  assert.deepEqual([result.crossModalAttention!.length, result.crossModalAttention![0].length], [2, 4]);
});

test('inspect: a single stream of 2 joint layers over the text slots, the image CLS and the patches, and its anatomy says so', async () => {
  const inspected = await service.inspect(dir);
  assert.equal(inspected.model.architecture, 'singleStream');
  assert.deepEqual(inspected.taps.map((t) => [t.tower, t.heads, t.keys]), [['joint', 4, L + 17], ['joint', 4, L + 17]]);
  assert.equal(inspected.tokenLayout?.firstPatch, L + 1);
  assert.equal(inspected.anatomy.family, 'singleStream');
  assert.match(inspected.anatomy.description, /image and text tokens are concatenated before the first attention layer; all 2 layers attend jointly over both modalities/);
  assert.deepEqual(inspected.anatomy.inputs.map((i) => [i.name, i.modality]), [['input_ids', 'text'], ['attention_mask', 'text'], ['token_type_ids', 'text'], ['pixel_values', 'vision'], ['pixel_mask', 'vision']]);
});

test('a ViLT config.json without patch_size, with one the graph does not have, or of another ViLT head is refused naming it; a capped max_image_length refuses larger images', async () => {
  const noPatch = editedCopy('no-patch', ({ patch_size: _, ...rest }) => rest);
  await assert.rejects(service.analyze({ modelDir: noPatch, images: [images[0]], texts: ['a'] }), (e: unknown) => e instanceof LensError && e.kind === 'badModel'
    && /config\.json: has no patch_size/.test(e.message) && /ViltConfig writes every field/.test(e.fix ?? ''));
  const vqa = editedCopy('vqa', (config) => ({ ...config, architectures: ['ViltForQuestionAnswering'] }));
  await assert.rejects(service.analyze({ modelDir: vqa, images: [images[0]], texts: ['a'] }), (e: unknown) => e instanceof LensError && e.kind === 'badModel'
    && /names ViltForQuestionAnswering; of ViLT's heads only ViltForImageAndTextRetrieval \(image-text matching\) is supported/.test(e.message));
  const coarse = editedCopy('coarse', (config) => ({ ...config, patch_size: 32 }));
  await assert.rejects(service.analyze({ modelDir: coarse, images: [images[0]], texts: ['a'] }), (e: unknown) => e instanceof LensError && e.kind === 'badModel'
    && /ViLT's 8 text slots, image CLS and patch_size 32 make 13 joint tokens for a 64x64 image, but the attention in .* is over 25/.test(e.message));
  const capped = editedCopy('capped', (config) => ({ ...config, max_image_length: 20 }));
  const fine = await service.analyze({ modelDir: capped, images: [images[0]], texts: ['a'] });
  assert.deepEqual(fine.grid, { rows: 4, cols: 4 });
  await assert.rejects(service.analyze({ modelDir: capped, images: [images[1]], texts: ['a'] }), (e: unknown) => e instanceof LensError && e.kind === 'badInput'
    && /has 24 patches, more than config\.json's max_image_length of 20/.test(e.message));
});
