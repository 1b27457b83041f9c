/**
 * The fuzzers' randomness: every case gets its own generator derived from (run seed, target, case index), so
 * one failing case reproduces alone from the printed seed and index, whatever ran before it.
 */
import { mulberry32 } from '../../src/analysis/random';

/** A seeded source of the choices a mutator makes. */
export class FuzzRandom {
  private readonly next: () => number;

  /** @param seed any 32-bit integer */
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The seed of case `index` of `target` in a run seeded with `seed` (FNV-1a over the three). */
export function caseSeed(seed: number, target: string, index: number): number {
  let hash = 0x811c9dc5;
  for (const ch of `${seed >>> 0}/${target}/${index}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}
