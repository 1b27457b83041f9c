/**
 * How one map method did over many maps (src/evaluation): the measures of one map for the boxes it should find
 * (pointing game, energy in the boxes, deletion and insertion curves of its score, and on request the curves as
 * Petsiuk et al. measure them) and their running means per method, with TorchRay's per-class pointing beside them.
 */
import { causalCurve } from '../analysis/perturbation/causalMetric';
import { deletionCurve, energyInBox, insertionCurve, pointingGame } from '../analysis/perturbation/faithfulness';
import type { LongRunOptions } from '../core/progress';
import type { PreprocessorConfig } from '../inference/model/preprocessorConfig';
import type { PerturbationTarget } from '../inference/tasks/perturbationScores';
import type { MapMethod, Measures, MethodSummary } from '../shared/mapEvaluation';
import type { MethodMap } from './mapMethods';
import type { ObjectOnGrid, Rect } from './pointing';
import { hitsWithin, PerClassPointing, upsampledArgmax } from './torchrayPointing';

/** Points per deletion or insertion curve (besides the start): patches are hidden or revealed in this many steps. */
export const CURVE_STEPS = 16;

/** The measures of one map for one object; the Petsiuk areas are 0 unless `petsiuk`. */
async function measure(map: Float32Array, target: PerturbationTarget, object: ObjectOnGrid, options: LongRunOptions & { batchSize: number }, petsiuk: boolean): Promise<Measures> {
  const { image, fills, score } = target;
  const { rows, cols } = image;
  const curve = { ...options, normalise: true, step: Math.max(1, Math.ceil((rows * cols) / CURVE_STEPS)) };
  return {
    pointingGame: pointingGame(map, rows, cols, object.touches) ? 1 : 0,
    energyInBox: energyInBox(map, rows, cols, object.share),
    deletionAuc: (await deletionCurve(image, map, fills.gray, score, curve)).auc,
    insertionAuc: (await insertionCurve(image, map, fills.gray, score, curve)).auc,
    deletionAucPetsiuk: petsiuk ? (await causalCurve('deletion', image, map, score, options)).auc : 0,
    insertionAucPetsiuk: petsiuk ? (await causalCurve('insertion', image, map, score, options)).auc : 0,
  };
}

/** Where one object's maps should point: its boxes on the patch grid, and TorchRay's class (its boxes and name) on the image's pixels. */
export interface MapTruth {
  onGrid: ObjectOnGrid;
  classBoxes: Rect[];
  className: string;
  /** The original image's size. */
  size: { width: number; height: number };
}

/**
 * Measures each method's map of one object (`maps`, explaining `target`) against `truth` into its method's tally, and
 * returns the measures of the methods that made a map; a method without one leaves its reason in the tally.
 */
export async function scoreMaps(maps: ReadonlyMap<MapMethod, MethodMap>, target: PerturbationTarget, truth: MapTruth, tallies: ReadonlyMap<MapMethod, Tally>, pre: PreprocessorConfig, options: LongRunOptions & { batchSize: number }, petsiuk: boolean): Promise<Partial<Record<MapMethod, Measures>>> {
  const measured: Partial<Record<MapMethod, Measures>> = {};
  for (const [method, made] of maps) {
    if ('unavailable' in made) {
      tallies.get(method)!.unavailable = made.unavailable;
      continue;
    }
    const measures = await measure(made.map, target, truth.onGrid, options, petsiuk);
    const hit = hitsWithin(upsampledArgmax(made.map, target.image, truth.size, pre), truth.classBoxes);
    tallies.get(method)!.add(measures, made.forwardPasses, truth.className, hit);
    measured[method] = measures;
  }
  return measured;
}

/** Running sums of one method's measures. */
export class Tally {
  private readonly sums: Measures = { pointingGame: 0, energyInBox: 0, deletionAuc: 0, insertionAuc: 0, deletionAucPetsiuk: 0, insertionAucPetsiuk: 0 };
  private readonly torchRay = new PerClassPointing();
  private passes = 0;
  private count = 0;
  unavailable?: string;

  /** One object's measures, with its class and whether TorchRay's pointing game hit it. */
  add(measures: Measures, forwardPasses: number, className: string, torchRayHit: boolean): void {
    for (const key of Object.keys(this.sums) as (keyof Measures)[]) this.sums[key] += measures[key];
    this.torchRay.add(className, torchRayHit);
    this.passes += forwardPasses;
    this.count++;
  }

  /** The means so far; metrics null before any map, with the reason the model has none when it never made one. */
  summary(name: MapMethod, petsiuk: boolean): MethodSummary {
    const mean = (sum: number) => (this.count > 0 ? sum / this.count : null);
    const summary: MethodSummary = {
      name,
      maps: this.count,
      pointingGame: mean(this.sums.pointingGame),
      pointingGameTorchRay: this.torchRay.accuracy(),
      energyInBox: mean(this.sums.energyInBox),
      deletionAuc: mean(this.sums.deletionAuc),
      insertionAuc: mean(this.sums.insertionAuc),
      deletionAucPetsiuk: petsiuk ? mean(this.sums.deletionAucPetsiuk) : null,
      insertionAucPetsiuk: petsiuk ? mean(this.sums.insertionAucPetsiuk) : null,
      forwardPasses: mean(this.passes),
    };
    if (this.count === 0 && this.unavailable) summary.unavailable = this.unavailable;
    return summary;
  }
}
