// The alignment method of two-tower analyses: patch tokens by default, MaskCLIP or the values alone on request,
// each checked against cosines of its independent reference (test/support/valuePathReference.ts) with plain
// onnxruntime text embeddings, and a fallback with a notice when the graph hides its attention.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { InferenceService } from '../../../src/inference/service';
import type { AnalysisResult } from '../../../src/shared/analysisResult';
import { cosine } from '../../support/reference';
import { tinyClipIds, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { referenceClearClipEmbeds, referenceMaskClipEmbeds, referenceValueEmbeds } from '../../support/valuePathReference';

const rgb = [180, 60, 120];
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];
const texts = ['a red circle', 'a green square'];
let clip: TinyClip;
let fused: TinyClip;
let work: string;
let image: string;
let service: InferenceService;

before(async () => {
  clip = writeTinyClip({ seed: 5 });
  fused = writeTinyClip({ fusedAttention: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-alignment-'));
  image = join(work, 'uniform.png');
  const size = clip.options.imageSize;
  await sharp({ create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(image);
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
});
after(async () => {
  await service.dispose();
  clip.remove();
  fused.remove();
  rmSync(work, { recursive: true, force: true });
});

async function textEmbeds(text: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(clip.towerBytes('text'));
  const ids = tinyClipIds(clip, text);
  const out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
  await session.release();
  return out.text_embeds.data as Float32Array;
}

/** Checks every alignment map of `result` against the cosines of reference patch embeddings with the texts' embeddings. */
async function assertCosinesOf(result: AnalysisResult, reference: Float32Array): Promise<void> {
  const p = clip.options.projectionDim;
  const { rows, cols } = result.grid;
  for (const [j, text] of texts.entries()) {
    const embeds = await textEmbeds(text);
    for (let patch = 0; patch < rows * cols; patch++) {
      const expected = cosine(reference.subarray((1 + patch) * p, (2 + patch) * p), embeds);
      const got = result.maps.alignment[0][j][Math.floor(patch / cols)][patch % cols];
      assert.ok(Math.abs(got - expected) < 1e-4, `${result.alignmentMethod} text ${j} patch ${patch}: ${got} vs ${expected}`);
    }
  }
}

test('patch tokens by default; MaskCLIP, the values alone and ClearCLIP on request, as cosines of their reference embeddings', async () => {
  const byDefault = await service.analyze({ images: [image], texts });
  assert.equal(byDefault.alignmentMethod, 'patchTokens');
  const size = clip.options.imageSize;
  const pixels = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) pixels.fill((rgb[c] / 255 - MEAN[c]) / STD[c], c * size * size, (c + 1) * size * size);
  const tensor = new ort.Tensor('float32', pixels, [1, 3, size, size]);
  const references = {
    maskclip: referenceMaskClipEmbeds, values: referenceValueEmbeds,
    clearclip: (options: typeof clip.options, _tokens: number, pixels: ort.Tensor) => referenceClearClipEmbeds(options, pixels),
  };
  for (const method of ['maskclip', 'values', 'clearclip'] as const) {
    const result = await service.analyze({ images: [image], texts, alignment: method });
    assert.equal(result.alignmentMethod, method);
    assert.deepEqual(result.model.notices, byDefault.model.notices);
    await assertCosinesOf(result, await references[method](clip.options, clip.visionTokens, tensor));
    assert.notDeepEqual(result.maps.alignment, byDefault.maps.alignment);
  }
});

test('a graph that hides its attention falls back to patch tokens and says so', async () => {
  for (const [method, name] of [['maskclip', 'MaskCLIP'], ['values', 'Value-path'], ['clearclip', 'ClearCLIP']] as const) {
    const result = await service.analyze({ modelDir: fused.dir, images: [image], texts, alignment: method });
    assert.equal(result.alignmentMethod, 'patchTokens');
    assert.equal(result.maps.alignment[0].length, texts.length);
    const notice = new RegExp(`^${name} alignment maps are unavailable.*patch tokens`);
    assert.ok(result.model.notices.some((n) => notice.test(n)), result.model.notices.join(' | '));
  }
});
