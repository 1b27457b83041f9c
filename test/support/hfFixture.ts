/**
 * The Hugging Face fixtures (test/fixtures/hf-*, written by tools/fixtures/hf*.py): their folder, reference.json,
 * the processor's pixels, and plain onnxruntime runs of their graphs, for tests that compare the product with HF.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

/** What every HF fixture's reference.json holds. */
export interface HfReference {
  texts: string[];
  images: string[];
  inputIds: number[][];
  logitScale: number;
  probabilities: number[];
  visionAttention: number[][];
  textAttention: number[][];
}

/** One fixture folder with its reference outputs. */
export interface HfFixture<R extends HfReference> {
  dir: string;
  reference: R;
  /** The test images' paths. */
  images: string[];
  /** The HF processor's pixels of every test image, one after another (3 x H x W each). */
  pixels(): Float32Array;
}

/** Loads test/fixtures/`name`. */
export function hfFixture<R extends HfReference>(name: string): HfFixture<R> {
  const dir = join(__dirname, '../fixtures', name);
  const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as R;
  return {
    dir,
    reference,
    images: reference.images.map((image) => join(dir, image)),
    pixels: () => Float32Array.from(reference.images.flatMap((image) => [...imagePixels(dir, image)])),
  };
}

/** The HF processor's pixels of one test image. */
export function imagePixels(dir: string, image: string): Float32Array {
  const bytes = readFileSync(join(dir, `pixels_${image.replace('.png', '')}.f32`));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** The largest absolute difference of two equally long lists. */
export function maxDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

/** One output of a plain onnxruntime session of `file` (no taps, nothing added). */
export async function plainOutput(file: string, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    return (await session.run(feeds))[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Token ids as an int64 [rows, length] feed. */
export function idsTensor(rows: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
}
