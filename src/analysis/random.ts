/**
 * A small seeded generator for the randomised analyses (RISE masks, permuted pairs), so that a run can be
 * repeated exactly from its seed; Math.random cannot be seeded.
 */

/** mulberry32: returns a function giving uniform numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
