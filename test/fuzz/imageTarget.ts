/**
 * Fuzz target: the image path (decode, pixel limit, resize, crop, normalise) on mutated PNG, JPEG, GIF and
 * WebP bytes of several kinds (RGB, palette, 16-bit with alpha, grey, progressive, animated), through CLIP's
 * preprocessing and the generative families' own: Idefics3's tiles and Qwen2-VL's patches.
 */
import assert from 'node:assert/strict';
import sharp, { type Sharp } from 'sharp';
import { preprocessImage } from '../../src/inference/images/preprocess';
import { parsePreprocessorConfig } from '../../src/inference/model/preprocessorConfig';
import { idefics3Images } from '../../src/inference/families/generative/idefics3Images';
import { qwen2vlImages } from '../../src/inference/families/generative/qwen2vlImages';
import { loadOrt } from '../../src/inference/runtime/sessions';
import { mutateBytes, type Mutated } from './byteMutations';
import type { FuzzRunner, FuzzTarget } from './fuzzTarget';
import type { FuzzRandom } from './random';

/** A 24x16 image with every pixel different, so decoders cannot take a uniform-colour shortcut. */
function gradient(channels: 3 | 4): Buffer {
  const bytes = Buffer.alloc(24 * 16 * channels);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
  return bytes;
}

/** The seed images: one small file of each kind. */
export async function seedImages(): Promise<{ label: string; bytes: Uint8Array }[]> {
  const rgb = () => sharp(gradient(3), { raw: { width: 24, height: 16, channels: 3 } });
  const rgba = () => sharp(gradient(4), { raw: { width: 24, height: 16, channels: 4 } });
  const frames = sharp(Buffer.concat([gradient(4), gradient(4).reverse()]), { raw: { width: 24, height: 32, channels: 4, pageHeight: 16 } });
  return Promise.all([
    ['png rgb', rgb().png()],
    ['png palette', rgb().png({ palette: true, colours: 16 })],
    ['png 16-bit rgba', rgba().toColourspace('rgb16').png()],
    ['png grey', rgb().greyscale().png()],
    ['jpeg', rgb().jpeg({ quality: 80 })],
    ['jpeg progressive', rgb().jpeg({ progressive: true })],
    ['gif animated', frames.gif()],
    ['webp', rgba().webp()],
  ].map(async ([label, image]) => ({ label: label as string, bytes: await (image as Sharp).toBuffer() })));
}

/** One to three byte mutations of a random seed image. */
export function mutateImage(seeds: { label: string; bytes: Uint8Array }[], random: FuzzRandom): Mutated {
  const seed = random.pick(seeds);
  let bytes = seed.bytes;
  const steps: string[] = [];
  for (let i = 1 + random.int(3); i > 0 && bytes.length > 0; i--) {
    const mutated = mutateBytes(bytes, random);
    bytes = mutated.bytes;
    steps.push(mutated.description);
  }
  return { bytes, description: `${seed.label}: ${steps.join('; ')}` };
}

/** The image target. */
export const imageTarget: FuzzTarget = {
  name: 'image',
  async prepare(): Promise<FuzzRunner> {
    const seeds = await seedImages();
    const cfg = parsePreprocessorConfig({ size: { shortest_edge: 32 }, crop_size: { height: 32, width: 32 } });
    const ort = await loadOrt();
    const tiled = parsePreprocessorConfig({ image_processor_type: 'Idefics3ImageProcessor', size: { longest_edge: 64 }, max_image_size: { longest_edge: 32 } });
    const patched = parsePreprocessorConfig({ image_processor_type: 'Qwen2VLImageProcessor', min_pixels: 256, max_pixels: 4096, patch_size: 4, merge_size: 2 });
    const families = [idefics3Images(ort, { ...tiled, tiling: tiled.tiling! }, '<image>', 'vision'), qwen2vlImages(ort, { ...patched, patching: patched.patching! }, '<|image_pad|>', 0, 'vision')];
    return {
      async runCase(random: FuzzRandom, note): Promise<void> {
        const { bytes, description } = mutateImage(seeds, random);
        note(description);
        const image = await preprocessImage(bytes, cfg);
        assert.equal(image.pixels.length, 3 * 32 * 32);
        assert.ok(image.pixels.every(Number.isFinite), 'every pixel value is finite');
        for (const family of families) {
          const own = await family.preprocess(bytes);
          assert.ok(own.pixels.length > 0 && own.pixels.every(Number.isFinite), `${family.family}: finite pixels`);
        }
      },
      async dispose(): Promise<void> {},
    };
  },
};
