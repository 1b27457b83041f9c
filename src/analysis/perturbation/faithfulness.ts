/**
 * Faithfulness checks of a patch map. Deletion and insertion curves (Petsiuk, Das & Saenko 2018): hide or
 * reveal patches in the order the map ranks them and watch the score; a faithful map makes the deletion curve
 * fall fast (low area) and the insertion curve rise fast (high area). The pointing game (Zhang et al. 2016)
 * and its energy-based form (Score-CAM, Wang et al. 2020) compare the map with a known object location.
 */
import { badInput, LensError } from '../../core/errors';
import { channelsOf, copyPatches, hiddenImage, scoreInBatches, type BatchOptions, type Fill, type PatchedImage, type ScoreBatch } from './perturbation';
import { requireLength, requirePositiveInt } from '../shape';

/** Choices of a deletion or insertion curve; every field has the default shown. */
export interface CurveOptions extends BatchOptions {
  /** Patches hidden or revealed per step. Default 1. */
  step?: number;
  /** Divide every score by the score of the unperturbed image. Default false (raw scores). */
  normalise?: boolean;
}

/** A deletion or insertion curve. */
export interface FaithfulnessCurve {
  /** Fraction of the patches hidden (deletion) or revealed (insertion) at each step, from 0 to 1. */
  fractions: Float32Array;
  /** Score at each step; divided by `original` when the curve was asked to normalise. */
  scores: Float32Array;
  /** Trapezoidal area under scores over fractions 0..1, in the units of `scores`. */
  auc: number;
  /** Score of the unperturbed image, never normalised. */
  original: number;
  /** Whether `scores` and `auc` are relative to `original`. */
  normalised: boolean;
  /** Images scored, one per step. */
  forwardPasses: number;
}

/** Throws unless `map` holds rows x cols finite values. */
function checkMap(map: Float32Array, rows: number, cols: number, what: string): void {
  requirePositiveInt(rows, `${what}: rows`);
  requirePositiveInt(cols, `${what}: cols`);
  requireLength(map, rows * cols, `${what}: map`);
  map.forEach((v, p) => {
    if (!Number.isFinite(v)) throw new LensError('internal', `${what}: map value ${p} is ${v}.`);
  });
}

async function curve(mode: 'deletion' | 'insertion', image: PatchedImage, map: Float32Array, fill: Fill, score: ScoreBatch, options: CurveOptions): Promise<FaithfulnessCurve> {
  channelsOf(image);
  const { rows, cols } = image;
  const patches = rows * cols;
  checkMap(map, rows, cols, `${mode} curve`);
  const step = options.step ?? 1;
  if (!Number.isInteger(step) || step <= 0) throw badInput(`The ${mode} step ${step} is not a positive whole number of patches.`, 'Use a step of 1 or more.');
  // Largest first; equal values keep row-major order.
  const order = Array.from(map.keys()).sort((a, b) => map[b] - map[a] || a - b);
  const hidden = hiddenImage(image, fill);
  const [from, to] = mode === 'deletion' ? [image.data, hidden] : [hidden, image.data];
  const steps = Math.ceil(patches / step) + 1;
  const counts = Array.from({ length: steps }, (_, k) => Math.min(k * step, patches));
  // The images are built in order, so each one only adds its new patches to the previous state.
  const state = Float32Array.from(from);
  let changed = 0;
  const raw = await scoreInBatches(steps, state.length, (k, target) => {
    for (; changed < counts[k]; changed++) {
      const r = Math.floor(order[changed] / cols);
      const c = order[changed] % cols;
      copyPatches(image, to, state, r, r + 1, c, c + 1);
    }
    target.set(state);
  }, score, options, mode);

  const original = mode === 'deletion' ? raw[0] : raw[steps - 1];
  const normalised = options.normalise ?? false;
  if (normalised && original === 0) throw badInput(`The unperturbed image scores 0, so the ${mode} curve cannot be normalised by it.`, 'Show raw scores instead.');
  const values = raw.map((s) => (normalised ? s / original : s));
  let auc = 0;
  for (let k = 1; k < steps; k++) auc += ((counts[k] - counts[k - 1]) / patches) * ((values[k] + values[k - 1]) / 2);
  return {
    fractions: Float32Array.from(counts, (n) => n / patches),
    scores: Float32Array.from(values),
    auc,
    original,
    normalised,
    forwardPasses: steps,
  };
}

/** Deletion curve: start from the image, hide the map's top patches `step` at a time with `fill`. */
export function deletionCurve(image: PatchedImage, map: Float32Array, fill: Fill, score: ScoreBatch, options: CurveOptions = {}): Promise<FaithfulnessCurve> {
  return curve('deletion', image, map, fill, score, options);
}

/** Insertion curve: start from the fully hidden image (all `fill`), reveal the map's top patches `step` at a time. */
export function insertionCurve(image: PatchedImage, map: Float32Array, fill: Fill, score: ScoreBatch, options: CurveOptions = {}): Promise<FaithfulnessCurve> {
  return curve('insertion', image, map, fill, score, options);
}

/**
 * Pointing game: true when the map's maximum lies on the target (`target(row, col)` says whether a patch is
 * part of the object). When several patches tie for the maximum, all of them must be on the target, so a flat
 * map cannot score a hit by the luck of iteration order.
 */
export function pointingGame(map: Float32Array, rows: number, cols: number, target: (row: number, col: number) => boolean): boolean {
  checkMap(map, rows, cols, 'pointingGame');
  let max = -Infinity;
  for (const v of map) max = Math.max(max, v);
  for (let p = 0; p < rows * cols; p++) {
    if (map[p] === max && !target(Math.floor(p / cols), p % cols)) return false;
  }
  return true;
}

/**
 * Energy-based pointing game: the share of the map's positive mass inside a box, Σ max(v, 0) · inside /
 * Σ max(v, 0), where `inside(row, col)` is the fraction (0..1) of that patch covered by the box. Negative
 * values (evidence against) are left out, as in Score-CAM. A map with no positive value gives 0.
 */
export function energyInBox(map: Float32Array, rows: number, cols: number, inside: (row: number, col: number) => number): number {
  checkMap(map, rows, cols, 'energyInBox');
  let total = 0;
  let within = 0;
  for (let p = 0; p < rows * cols; p++) {
    if (map[p] <= 0) continue;
    const share = inside(Math.floor(p / cols), p % cols);
    if (!(share >= 0 && share <= 1)) throw new LensError('internal', `energyInBox: patch ${p} is ${share} inside the box, not a fraction from 0 to 1.`);
    total += map[p];
    within += map[p] * share;
  }
  return total > 0 ? within / total : 0;
}
