// A CLIP's `_quantized` towers (every linear layer in onnxruntime's dynamic int8 form, tools/models) run with
// `modelVariant: 'quantized'`: the scores are those of plain onnxruntime runs of the quantized files, every layer's
// attention is still tapped, and the gap to the fp32 towers is small.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { InferenceService } from '../../../src/inference/service';
import { preprocessImage } from '../../../src/inference/images/preprocess';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { tinyClipIds, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { cosine } from '../../support/reference';

let clip: TinyClip;
let work: string;
let image: string;
before(async () => {
  clip = writeTinyClip({ quantized: true });
  work = mkdtempSync(join(tmpdir(), 'mmlens-int8-'));
  image = join(work, 'scene.png');
  await sharp({ create: { width: 40, height: 32, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toFile(image);
});
after(() => {
  clip.remove();
  rmSync(work, { recursive: true, force: true });
});

/** The cosine of the image and `text` by plain sessions of the towers of `variant` ('' or '_quantized'). */
async function plainCosine(variant: string, text: string): Promise<number> {
  const pixels = (await preprocessImage(image, (await loadModelFolder(clip.dir)).preprocessor)).pixels;
  const size = clip.options.imageSize;
  const run = async (tower: string, feeds: Record<string, ort.Tensor>, output: string) => {
    const session = await ort.InferenceSession.create(join(clip.dir, 'onnx', `${tower}_model${variant}.onnx`));
    const data = (await session.run(feeds))[output].data as Float32Array;
    await session.release();
    return data;
  };
  const ids = tinyClipIds(clip, text);
  const imageEmbeds = await run('vision', { pixel_values: new ort.Tensor('float32', pixels, [1, 3, size, size]) }, 'image_embeds');
  const textEmbeds = await run('text', { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) }, 'text_embeds');
  return cosine(imageEmbeds, textEmbeds);
}

test('the quantized towers: their own graphs\' scores, every layer tapped, close to fp32', async (t) => {
  const text = 'a red circle';
  const services = ['fp32', 'quantized'].map((variant) => new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir, modelVariant: variant as 'fp32' | 'quantized' }));
  try {
    const [full, int8] = await Promise.all(services.map((s) => s.analyze({ images: [image], texts: [text], includeAttention: true })));
    assert.match(int8.model.notices.join(' '), /Using onnx\/vision_model_quantized\.onnx, the quantized variant asked for/);
    assert.ok(Math.abs(int8.similarity[0][0] - (await plainCosine('_quantized', text))) < 1e-5);
    assert.ok(Math.abs(full.similarity[0][0] - (await plainCosine('', text))) < 1e-5);
    assert.notEqual(int8.similarity[0][0], full.similarity[0][0], 'the quantized file ran, not the fp32 one');
    assert.equal(int8.attention!.vision!.length, clip.options.layers);
    const gap = Math.abs(int8.similarity[0][0] - full.similarity[0][0]);
    t.diagnostic(`int8 vs fp32 cosine gap ${gap.toExponential(2)}`);
    // int8 kernels round differently by CPU: 0.064 on an AMD EPYC with AVX-512 VNNI, under 0.05 on Intel machines.
    assert.ok(gap < 0.15);
  } finally {
    await Promise.all(services.map((s) => s.dispose()));
  }
});
