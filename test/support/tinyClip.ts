// Test helper: writes a tiny synthetic CLIP into a temporary folder and loads its towers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeSyntheticClip, type SyntheticClipInfo, type SyntheticClipOptions } from '../../tools/models/syntheticClip';

/** A tiny synthetic CLIP on disk; call `remove` when done. */
export interface TinyClip extends SyntheticClipInfo {
  towerBytes(tower: 'vision' | 'text'): Uint8Array;
  remove(): void;
}

/** Writes a tiny synthetic CLIP with the given option overrides into a fresh temporary folder. */
export function writeTinyClip(options: Partial<SyntheticClipOptions> = {}): TinyClip {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-clip-'));
  const info = writeSyntheticClip(dir, options);
  return {
    ...info,
    towerBytes: (tower) => readFileSync(join(dir, 'onnx', `${tower}_model.onnx`)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deterministic pixel values for `batch` images. */
export function testPixels(batch: number, size: number): Float32Array {
  return Float32Array.from({ length: batch * 3 * size * size }, (_, i) => Math.sin(i * 0.37) * 1.5);
}

/** The ids a word-level tiny CLIP gives `text`: start, one id per word, end (computed from the vocab, not the tokenizer). */
export function tinyClipIds(clip: SyntheticClipInfo, text: string): number[] {
  const vocab = (JSON.parse(readFileSync(join(clip.dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  return [clip.tokenIds.bos, ...text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => vocab[w] ?? vocab['<unk>']), clip.tokenIds.eos];
}

/** The pixel tensor the preprocessor makes of a uniform image: every pixel of channel c is (rgb[c]/255 - mean)/std. */
export function uniformPixels(clip: SyntheticClipInfo, rgb: number[]): Float32Array {
  const pre = JSON.parse(readFileSync(join(clip.dir, 'preprocessor_config.json'), 'utf8'));
  const plane = clip.options.imageSize ** 2;
  const pixels = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) pixels.fill((rgb[c] / 255 - pre.image_mean[c]) / pre.image_std[c], c * plane, (c + 1) * plane);
  return pixels;
}

/** image_embeds of the untouched vision graph (plain onnxruntime) for one pixel tensor. */
export async function plainImageEmbeds(clip: TinyClip, pixels: Float32Array): Promise<Float32Array> {
  const size = clip.options.imageSize;
  const session = await ort.InferenceSession.create(clip.towerBytes('vision'));
  const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, size, size]) });
  return out.image_embeds.data as Float32Array;
}

/** One test image as the vision graph's feeds, and the image_embeds the untouched graph gives for it. */
export async function visionCase(clip: TinyClip): Promise<{ feeds: Record<string, ort.Tensor>; expected: Float32Array }> {
  const size = clip.options.imageSize;
  const pixels = testPixels(1, size);
  return { feeds: { pixel_values: new ort.Tensor('float32', pixels, [1, 3, size, size]) }, expected: await plainImageEmbeds(clip, pixels) };
}

/** text_embeds of the untouched text graph (plain onnxruntime) for `text`, ids taken from the vocab. */
export async function plainTextEmbeds(clip: TinyClip, text: string): Promise<Float32Array> {
  const ids = tinyClipIds(clip, text);
  const session = await ort.InferenceSession.create(clip.towerBytes('text'));
  const out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
  return out.text_embeds.data as Float32Array;
}
