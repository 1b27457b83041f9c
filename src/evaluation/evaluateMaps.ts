/**
 * `mmlens evaluate`: how well each map method finds the object a prompt names, on fresh shapes-world scenes
 * whose ground truth is known. For every object of every scene and every method: the map for the object's
 * prompt `a {colour} {shape}`, the pointing game and the energy in the object's box, and the deletion and
 * insertion curves of the prompt's score (each divided by the unperturbed image's score, so 1 = unchanged), and on
 * request the same curves as Petsiuk et al. measured them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { causalCurve } from '../analysis/perturbation/causalMetric';
import { deletionCurve, energyInBox, insertionCurve, pointingGame } from '../analysis/perturbation/faithfulness';
import { type PerturbationScoreKind, type PerturbationTarget } from '../inference/tasks/perturbationScores';
import type { LongRunOptions } from '../core/progress';
import type { InferenceService } from '../inference/service';
import { generateScene } from '../shapesWorld/scene';
import { ALL_KINDS } from '../shapesWorld/vocab';
import type { Architecture } from '../shared/analysisResult';
import { sceneMaps, type MapMethod } from './mapMethods';
import { boxRect, objectOnGrid, type ObjectOnGrid } from './pointing';
import { hitsWithin, PerClassPointing, TORCHRAY_TOLERANCE, upsampledArgmax } from './torchrayPointing';

/** Version of the JSON below. */
export const EVALUATION_SCHEMA_VERSION = 4;

/** Points per deletion or insertion curve (besides the start): patches are hidden or revealed in this many steps. */
export const CURVE_STEPS = 16;

/** What to evaluate. */
export interface EvaluateOptions extends LongRunOptions {
  modelDir?: string;
  scenes: number;
  seed: number;
  methods: readonly MapMethod[];
  riseMasks: number;
  /** RISE as its authors run it (mean-colour fill, reflected mask edges) instead of the product's grey and clamped edges. */
  risePaper?: boolean;
  /** Also the deletion and insertion curves as Petsiuk et al. measured them (analysis/perturbation/causalMetric.ts). */
  petsiukCurves?: boolean;
  /** Images per forward pass of the perturbation methods and curves. Default 32. */
  batchSize?: number;
}

/** One method's means over every object of every scene; metrics are null when the model cannot make its map. */
export interface MethodSummary {
  name: MapMethod;
  /** Maps measured (objects, when available). */
  maps: number;
  pointingGame: number | null;
  /**
   * The pointing game as TorchRay plays it (evaluation/torchrayPointing.ts): the map resized to the image's pixels,
   * a hit within 15 pixels of a box of the object's class, the mean of the per-class hit rates.
   */
  pointingGameTorchRay: number | null;
  energyInBox: number | null;
  deletionAuc: number | null;
  insertionAuc: number | null;
  /** The curves' areas as Petsiuk et al. measure them (pixels, mean-colour and blurred canvases, raw scores); null unless asked. */
  deletionAucPetsiuk: number | null;
  insertionAucPetsiuk: number | null;
  /** Image forward passes to make one map (the curves not counted). */
  forwardPasses: number | null;
  unavailable?: string;
}

/** The `mmlens evaluate` JSON. */
export interface EvaluationResult {
  schemaVersion: number;
  model: { name: string; architecture: Architecture; executionProvider: string };
  seed: number;
  scenes: number;
  objects: number;
  /** The score the perturbation maps explain and the curves follow. */
  score: PerturbationScoreKind;
  curveSteps: number;
  /** Whether the Petsiuk curves were measured too. */
  petsiukCurves: boolean;
  riseMasks: number;
  /** Whether RISE ran as its authors run it (`--rise-paper`). */
  risePaper: boolean;
  /** TorchRay's pointing tolerance, in pixels. */
  torchRayTolerance: number;
  methods: MethodSummary[];
}

const prompt = (k: { colour: string; shape: string }) => `a ${k.colour} ${k.shape}`;
/** The texts a two-tower score is a probability among: every one-object prompt of the shapes world. */
const ALL_PROMPTS = ALL_KINDS.map(prompt);

/** Runs the evaluation on `options.scenes` fresh two- and three-object scenes drawn from `options.seed`. */
export async function evaluateMaps(service: InferenceService, options: EvaluateOptions): Promise<EvaluationResult> {
  const model = await service.model(options.modelDir);
  const batchSize = options.batchSize ?? 32;
  const tally = new Map(options.methods.map((m) => [m, new Tally()]));
  let objects = 0;
  const dir = await mkdtemp(join(tmpdir(), 'mmlens-evaluate-'));
  try {
    for (let index = 0; index < options.scenes; index++) {
      const stage = `scene ${index + 1}/${options.scenes}`;
      const progress = { signal: options.signal, onProgress: options.onProgress && ((p: { stage: string; done: number; total: number }) => options.onProgress!({ ...p, stage: `${stage} ${p.stage}` })) };
      const { png, truth } = await generateScene({ seed: options.seed, index, objects: index % 2 === 0 ? 2 : 3 });
      const path = join(dir, `scene-${index}.png`);
      await writeFile(path, png);
      const prompts = truth.objects.map(prompt);
      const scene = await sceneMaps(service, path, prompts, ALL_PROMPTS, { ...progress, modelDir: options.modelDir, methods: options.methods, riseMasks: options.riseMasks, riseSeed: (options.seed + index) >>> 0, risePaper: options.risePaper ?? false, batchSize });
      for (const [i, object] of truth.objects.entries()) {
        const target = scene.targets[i];
        const size = { width: truth.size, height: truth.size };
        const onGrid = objectOnGrid(object.box, target.image, size, model.folder.preprocessor);
        // TorchRay's class mask: every object of the same colour and shape.
        const classBoxes = truth.objects.filter((o) => prompt(o) === prompts[i]).map((o) => boxRect(o.box));
        for (const [method, made] of scene.maps[i]) {
          if ('unavailable' in made) {
            tally.get(method)!.unavailable = made.unavailable;
            continue;
          }
          const hit = hitsWithin(upsampledArgmax(made.map, target.image, size, model.folder.preprocessor), classBoxes);
          tally.get(method)!.add(await measure(made.map, target, onGrid, { ...progress, batchSize }, options.petsiukCurves ?? false), made.forwardPasses, prompts[i], hit);
        }
        objects++;
      }
      options.onProgress?.({ stage: 'scenes', done: index + 1, total: options.scenes });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    schemaVersion: EVALUATION_SCHEMA_VERSION,
    model: { name: model.folder.name, architecture: model.family, executionProvider: model.executionProvider },
    seed: options.seed,
    scenes: options.scenes,
    objects,
    score: model.defaultScoreKind(ALL_PROMPTS.length),
    curveSteps: CURVE_STEPS,
    petsiukCurves: options.petsiukCurves ?? false,
    riseMasks: options.riseMasks,
    risePaper: options.risePaper ?? false,
    torchRayTolerance: TORCHRAY_TOLERANCE,
    methods: [...tally].map(([name, t]) => t.summary(name, options.petsiukCurves ?? false)),
  };
}

interface Measures {
  pointingGame: number;
  energyInBox: number;
  deletionAuc: number;
  insertionAuc: number;
  deletionAucPetsiuk: number;
  insertionAucPetsiuk: number;
}

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

/** Running sums of one method's measures. */
class Tally {
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
