// Shared pieces of the probe tests: uniform-colour images, their pixel tensors computed by hand, manifests,
// and reference retrieval written independently of src/analysis.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/** Five colours and captions made of the tiny models' vocabulary. */
export const COLOURS = [[200, 30, 30], [30, 40, 210], [40, 170, 70], [230, 220, 40], [10, 10, 10]];
export const CAPTIONS = ['a red circle', 'a blue square', 'a green triangle', 'a yellow cat', 'a black dog'];

/** Writes a uniform PNG of `rgb` into `dir` and returns its path. */
export async function uniformImage(dir: string, name: string, rgb: number[], width = 40, height = 36): Promise<string> {
  const path = join(dir, name);
  await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
  return path;
}

/** The model input of a uniform image by hand: every pixel of channel c is (rgb[c]/255 - mean)/std; `rgb` may be fractional (a mean image). */
export function uniformPixels(modelDir: string, rgb: number[], size: number): Float32Array {
  const pre = JSON.parse(readFileSync(join(modelDir, 'preprocessor_config.json'), 'utf8'));
  const pixels = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) pixels.fill((rgb[c] / 255 - pre.image_mean[c]) / pre.image_std[c], c * size * size, (c + 1) * size * size);
  return pixels;
}

/** The channel-wise mean of colours: the colour of the mean of their uniform images. */
export function meanColour(colours: number[][]): number[] {
  return [0, 1, 2].map((c) => colours.reduce((s, rgb) => s + rgb[c], 0) / colours.length);
}

/** Writes rows as JSON Lines. */
export function writeJsonl(path: string, rows: object[]): string {
  writeFileSync(path, rows.map((row) => JSON.stringify(row)).join('\n'));
  return path;
}

/** A row-major n x n matrix of `score(i, j)`. */
export function matrix(n: number, score: (i: number, j: number) => number): Float32Array {
  return Float32Array.from({ length: n * n }, (_, k) => score(Math.floor(k / n), k % n));
}

/**
 * Recall@1 by counting, assuming no ties: the share of queries whose best-scored candidate is a right one (queries
 * without a right one left out). `candidates` defaults to n (a square set).
 */
export function referenceRecallAt1(n: number, score: (query: number, candidate: number) => number, right: (query: number, candidate: number) => boolean, candidates = n): number {
  let hits = 0;
  let queries = 0;
  for (let q = 0; q < n; q++) {
    if (!Array.from({ length: candidates }, (_, c) => right(q, c)).some(Boolean)) continue;
    queries += 1;
    let best = 0;
    for (let c = 1; c < candidates; c++) if (score(q, c) > score(q, best)) best = c;
    if (right(q, best)) hits += 1;
  }
  return hits / queries;
}

/** Asserts |actual - expected| < tolerance, naming `what`. */
export function near(actual: number, expected: number, tolerance: number, what: string): void {
  if (!(Math.abs(actual - expected) < tolerance)) throw new Error(`${what}: ${actual} is not within ${tolerance} of ${expected}`);
}
