/**
 * Perceptual score (Gat, Schwartz & Schwing 2021, "Perceptual Score: What Data Modalities Does Your Model
 * Perceive?"): how much a metric drops when one modality is shuffled across the set, breaking its link with the
 * other. The caller scores the model on the permuted pairs; this file gives the permutation and the arithmetic.
 */
import { badInput } from '../../core/errors';
import { mulberry32 } from '../random';

/**
 * A seeded random derangement of 0..n-1: `perm[i] !== i` for every i, so item i is paired with another item's
 * partner and no pair stays intact. Uniform over all derangements (Fisher-Yates, redrawn until no fixed point:
 * about e draws on average).
 */
export function permutedPairs(n: number, seed: number): Uint32Array {
  if (!Number.isInteger(n) || n < 2) throw badInput(`Permuting pairs needs at least 2 pairs, got ${n}.`, 'Add more image-text pairs.');
  const random = mulberry32(seed);
  const perm = new Uint32Array(n);
  for (;;) {
    perm.forEach((_, i) => (perm[i] = i));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    if (perm.every((v, i) => v !== i)) return perm;
  }
}

/**
 * The perceptual score of one modality: metric(full) minus metric(that modality permuted), averaged over the
 * permutations given; with `normalise`, divided by metric(full), as the paper does to compare models.
 */
export function perceptualScore(full: number, permuted: number | ArrayLike<number>, normalise = false): number {
  const runs = typeof permuted === 'number' ? [permuted] : Array.from(permuted);
  if (runs.length === 0) throw badInput('The perceptual score needs at least one permuted run, and none was given.');
  const drop = runs.reduce((sum, m) => sum + (full - m), 0) / runs.length;
  if (!normalise) return drop;
  if (full === 0) throw badInput('The full model scores 0, so the perceptual score cannot be normalised by it.', 'Report the raw difference instead.');
  return drop / full;
}
