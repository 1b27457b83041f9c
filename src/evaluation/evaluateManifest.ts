/**
 * `mmlens evaluate --manifest`: every map method scored on the user's own images with boxes (a COCO instances file or
 * a phrase-grounding JSON Lines file, datasets/groundingManifest.ts), with the measures of the shapes-world
 * evaluation (methodScores.ts): pointing game, TorchRay's pointing game, energy in the boxes, deletion and insertion.
 * Images are taken from the manifest as they are read and scored one at a time, with progress; when cancelled, the
 * cases done so far are the result (`cancelled`), so nothing measured is lost. Each case's measures are kept, and
 * the worst cases of each method named, so the user can open them. A manifest row found faulty after some cases
 * were scored ends the run with those cases and the error (`stoppedBy`) instead of discarding them.
 */
import { buildPrompts } from '../analysis/zeroShot';
import { isUserError, LensError } from '../core/errors';
import type { LongRunOptions } from '../core/progress';
import { readGroundingManifest } from '../inference/datasets/groundingManifest';
import { skip, type SkippedRows } from '../inference/datasets/manifest';
import type { InferenceService } from '../inference/service';
import { modelTemplates } from '../inference/tasks/zeroShot';
import type { Box, CaseResult, ManifestEvaluationResult, MapMethod, PerturbationScoreKind } from '../shared/mapEvaluation';
import { sceneMaps } from './mapMethods';
import { CURVE_STEPS, scoreMaps, Tally } from './methodScores';
import { boxesOnGrid, type Rect } from './pointing';
import { TORCHRAY_TOLERANCE } from './torchrayPointing';

/** Version of the JSON below (the scenes' evaluation has its own, evaluateMaps.ts). */
export const MANIFEST_EVALUATION_SCHEMA_VERSION = 1;

/** The worst cases named per method, by default. */
export const DEFAULT_WORST = 5;

/** What to evaluate. */
export interface ManifestEvaluateOptions extends LongRunOptions {
  modelDir?: string;
  manifest: string;
  /** The folder relative image paths start from and images must be inside (default: the manifest's folder). */
  imageRoot?: string;
  allowOutsidePaths?: boolean;
  /** A COCO category's prompt, with `{label}` (default: the model's first prompt template). */
  template?: string;
  /** Stop after this many cases (image and text). */
  limit: number;
  methods: readonly MapMethod[];
  riseMasks: number;
  /** RISE's masks of image k are drawn from seed + k. */
  seed: number;
  risePaper?: boolean;
  petsiukCurves?: boolean;
  /** Images per forward pass of the perturbation methods and curves. Default 32. */
  batchSize?: number;
  /** Worst cases named per method (default DEFAULT_WORST). */
  worst?: number;
}

/** What to evaluate, without the run's signal and progress: what the extension sends the inference process. */
export type ManifestEvaluationRequest = Omit<ManifestEvaluateOptions, keyof LongRunOptions>;

/** Scores every requested method on the manifest's cases, up to `options.limit`. */
export async function evaluateManifest(service: InferenceService, options: ManifestEvaluateOptions): Promise<ManifestEvaluationResult> {
  const model = await service.model(options.modelDir);
  if (model.capabilities.generation) throw new LensError('badInput', `${model.folder.name} is a generative model: its maps are per generated word, which a manifest of boxes cannot check.`, 'Evaluate it on shapes-world scenes (`mmlens evaluate` without --manifest), or give a two-tower or matching model.');
  const manifest = await readGroundingManifest({ path: options.manifest, imageRoot: options.imageRoot, allowOutsidePaths: options.allowOutsidePaths });
  const template = manifest.format === 'coco' ? options.template ?? modelTemplates(model.folder.config)[0] : null;
  const prompt = (label: string) => (template === null ? label : buildPrompts([label], [template])[0].text);
  const categoryTexts = manifest.categories.map(prompt);
  const batchSize = options.batchSize ?? 32;
  const tally = new Map(options.methods.map((m) => [m, new Tally()]));
  const cases: CaseResult[] = [];
  const failedImages: SkippedRows = { count: 0, examples: [] };
  let [images, limited, cancelled] = [0, false, false];
  let scoreKind: PerturbationScoreKind | null = null;
  let stoppedBy: string | null = null;
  try {
    for await (const entry of manifest.images) {
      if (cases.length >= options.limit) {
        limited = true;
        break;
      }
      const take = { ...entry, cases: entry.cases.slice(0, options.limit - cases.length) };
      const texts = take.cases.map((c) => prompt(c.label));
      // A category's probability among every category's prompt; a phrase's own score, whatever else the image holds.
      const [scoreTexts, score] = manifest.format === 'coco' ? [categoryTexts, undefined] : [texts, model.defaultScoreKind(1)];
      const stage = `image ${images + 1}, case ${cases.length + 1}/${options.limit}`;
      const progress = { signal: options.signal, onProgress: options.onProgress && ((p: { stage: string; done: number; total: number }) => options.onProgress!({ ...p, stage: `${stage} ${p.stage}` })) };
      let scene;
      try {
        scene = await sceneMaps(service, take.image, texts, scoreTexts, { ...progress, modelDir: options.modelDir, methods: options.methods, riseMasks: options.riseMasks, riseSeed: (options.seed + images) >>> 0, risePaper: options.risePaper ?? false, batchSize, score });
      } catch (error) {
        if (!(error instanceof LensError && error.kind === 'badInput')) throw error;
        skip(failedImages, `${take.cases[0].where}: ${(error as Error).message}`);
        continue;
      }
      images++;
      for (const [i, found] of take.cases.entries()) {
        const target = scene.targets[i];
        scoreKind = target.kind;
        const size = { width: target.source.width, height: target.source.height };
        const rects = found.boxes.map(rectOf);
        const onGrid = boxesOnGrid(rects, target.image, size, model.folder.preprocessor);
        const measures = await scoreMaps(scene.maps[i], target, { onGrid, classBoxes: rects, className: found.label, size }, tally, model.folder.preprocessor, { ...progress, batchSize }, options.petsiukCurves ?? false);
        cases.push({ image: take.image, text: texts[i], where: found.where, boxes: found.boxes, measures });
        options.onProgress?.({ stage: 'cases', done: cases.length, total: options.limit });
      }
    }
  } catch (error) {
    if (error instanceof LensError && error.kind === 'cancelled') cancelled = true;
    else if (isUserError(error) && cases.length > 0) stoppedBy = error.message;
    else throw error;
  }
  return {
    schemaVersion: MANIFEST_EVALUATION_SCHEMA_VERSION,
    model: { name: model.folder.name, architecture: model.family, executionProvider: model.executionProvider },
    manifest: { path: options.manifest, format: manifest.format, images, limit: options.limit, limited, missingImages: manifest.missingImages, outsideImages: manifest.outsideImages, failedImages },
    template,
    score: scoreKind,
    curveSteps: CURVE_STEPS,
    petsiukCurves: options.petsiukCurves ?? false,
    riseMasks: options.riseMasks,
    risePaper: options.risePaper ?? false,
    torchRayTolerance: TORCHRAY_TOLERANCE,
    cancelled,
    stoppedBy,
    methods: [...tally].map(([name, t]) => t.summary(name, options.petsiukCurves ?? false)),
    cases,
    worst: options.methods.map((method) => ({ method, cases: worstCases(cases, method, options.worst ?? DEFAULT_WORST) })),
  };
}

function rectOf([x0, y0, x1, y1]: Box): Rect {
  return { x0, y0, x1, y1 };
}

/** The indices of the `count` cases `method` did worst on: pointing misses first, then the least energy in the boxes. */
export function worstCases(cases: readonly CaseResult[], method: MapMethod, count: number): number[] {
  const scored = cases.flatMap((c, index) => {
    const m = c.measures[method];
    return m ? [{ index, pointing: m.pointingGame, energy: m.energyInBox }] : [];
  });
  scored.sort((a, b) => a.pointing - b.pointing || a.energy - b.energy || a.index - b.index);
  return scored.slice(0, count).map((s) => s.index);
}
