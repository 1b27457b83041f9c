/**
 * Seeded pseudo-random numbers. Scenes must be reproducible from (seed, index) alone, on any machine, so
 * this uses integer arithmetic only (Math.imul) rather than Math.random.
 */

import { mulberry32 } from '../analysis/random';

/** A stream of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Murmur3's 32-bit finaliser: spreads every input bit over the output, so nearby seeds give unrelated streams. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mulberry32, shared with the randomised analyses (same sequence for the same seed). */
export { mulberry32 };

/**
 * An independent stream for one purpose (`stream`) of one scene. Separate streams keep what one purpose
 * draws (the noise, whose amount grows with the image) from shifting what another draws (the negatives).
 */
export function sceneRng(seed: number, index: number, stream: number): Rng {
  const h = fmix32(fmix32(fmix32(seed ^ 0x9e3779b9) ^ index) ^ Math.imul(stream + 1, 0x27d4eb2d));
  return mulberry32(h);
}

/** A uniform integer in [lo, hi], both included. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** A uniformly chosen element of a non-empty array. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}
