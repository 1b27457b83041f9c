// The alignment method of two-tower analyses: patch tokens by default, the value path (MaskCLIP) on request,
// checked against cosines of the independent value-path reference with plain onnxruntime text embeddings, and
// a fallback with a notice when the graph hides its attention.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { InferenceService } from '../../../src/inference/service';
import { cosine } from '../../support/reference';
import { tinyClipIds, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { referenceValueEmbeds } from '../../support/valuePathReference';

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

test('patch tokens by default; the value path on request, as cosines of the reference value embeddings', async () => {
  const byDefault = await service.analyze({ images: [image], texts });
  assert.equal(byDefault.alignmentMethod, 'patchTokens');
  const result = await service.analyze({ images: [image], texts, alignment: 'valuePath' });
  assert.equal(result.alignmentMethod, 'valuePath');
  assert.deepEqual(result.model.notices, byDefault.model.notices);

  const size = clip.options.imageSize;
  const pixels = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) pixels.fill((rgb[c] / 255 - MEAN[c]) / STD[c], c * size * size, (c + 1) * size * size);
  const values = await referenceValueEmbeds(clip.options, clip.visionTokens, new ort.Tensor('float32', pixels, [1, 3, size, size]));
  const p = clip.options.projectionDim;
  const { rows, cols } = result.grid;
  for (const [j, text] of texts.entries()) {
    const embeds = await textEmbeds(text);
    for (let patch = 0; patch < rows * cols; patch++) {
      const expected = cosine(values.subarray((1 + patch) * p, (2 + patch) * p), embeds);
      const got = result.maps.alignment[0][j][Math.floor(patch / cols)][patch % cols];
      assert.ok(Math.abs(got - expected) < 1e-4, `text ${j} patch ${patch}: ${got} vs ${expected}`);
    }
  }
  assert.notDeepEqual(result.maps.alignment, byDefault.maps.alignment);
});

test('a graph that hides its attention falls back to patch tokens and says so', async () => {
  const result = await service.analyze({ modelDir: fused.dir, images: [image], texts, alignment: 'valuePath' });
  assert.equal(result.alignmentMethod, 'patchTokens');
  assert.equal(result.maps.alignment[0].length, texts.length);
  assert.ok(result.model.notices.some((n) => /Value-path alignment maps are unavailable.*patch tokens/.test(n)), result.model.notices.join(' | '));
});
