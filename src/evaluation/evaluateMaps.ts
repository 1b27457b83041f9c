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
import type { PerturbationScoreKind } from '../inference/tasks/perturbationScores';
import type { LongRunOptions } from '../core/progress';
import type { InferenceService } from '../inference/service';
import { generateScene } from '../shapesWorld/scene';
import { ALL_KINDS } from '../shapesWorld/vocab';
import type { Architecture } from '../shared/analysisResult';
import { sceneMaps, type MapMethod } from './mapMethods';
import { CURVE_STEPS, scoreMaps, Tally } from './methodScores';
import type { MethodSummary } from '../shared/mapEvaluation';
import { boxRect, objectOnGrid } from './pointing';
import { TORCHRAY_TOLERANCE } from './torchrayPointing';

/** Version of the JSON below. */
export const EVALUATION_SCHEMA_VERSION = 4;

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
        await scoreMaps(scene.maps[i], target, { onGrid, classBoxes, className: prompts[i], size }, tally, model.folder.preprocessor, { ...progress, batchSize }, options.petsiukCurves ?? false);
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
