/**
 * The patch maps `mmlens evaluate` compares, made for one scene image and the prompts of its objects:
 * attention rollout, attention flow, patch alignment (last-layer patch tokens), MaskCLIP alignment, the values-only
 * variant of it (no residual, no MLP), ClearCLIP alignment, occlusion and RISE. The last two explain the same score the faithfulness curves measure (see evaluateMaps.ts).
 */
import { occlusionMap } from '../analysis/perturbation/occlusion';
import { riseMap } from '../analysis/perturbation/rise';
import type { PerturbationScoreKind, PerturbationTarget } from '../inference/tasks/perturbationScores';
import type { LongRunOptions } from '../core/progress';
import type { InferenceService } from '../inference/service';
import { valuePathAvailability } from '../inference/families/adapter';
import { LensError } from '../core/errors';
import type { AlignmentMethod, AnalysisResult, Matrix } from '../shared/analysisResult';
import type { MapMethod } from '../shared/mapEvaluation';

export type { MapMethod } from '../shared/mapEvaluation';


/** The value-path methods, each an alignment method of the analysis. */
const VALUE_PATHS = ['maskclip', 'values', 'clearclip'] as const;

/** A method's map (rows x cols, row-major) and the image forward passes it took, or why the model has none. */
export type MethodMap = { map: Float32Array; forwardPasses: number } | { unavailable: string };

/** What to make; `batchSize` is the images per forward pass of the perturbation methods. */
export interface SceneMapOptions extends LongRunOptions {
  modelDir?: string;
  methods: readonly MapMethod[];
  riseMasks: number;
  riseSeed: number;
  /** RISE as its authors run it: hidden pixels the dataset's mean colour, masks with reflected edges. */
  risePaper: boolean;
  batchSize: number;
  /** What the perturbation maps and curves score (default: the model's default for `scoreTexts`). */
  score?: PerturbationScoreKind;
}

/** The maps of one scene: per object (in prompt order) the map of each method, and each object's scoring target. */
export interface SceneMaps {
  maps: Map<MapMethod, MethodMap>[];
  targets: PerturbationTarget[];
}

/**
 * Makes every requested map for `prompts[i]` on the image at `path`. Perturbation maps explain the score of
 * `prompts[i]` among `scoreTexts` (see PerturbationTarget), the same score the faithfulness curves use.
 */
export async function sceneMaps(service: InferenceService, path: string, prompts: string[], scoreTexts: string[], options: SceneMapOptions): Promise<SceneMaps> {
  const { modelDir, methods, signal } = options;
  const analyze = (alignment: AlignmentMethod, flow = false) => service.analyze({ modelDir, images: [path], texts: prompts, alignment, flow }, { signal });
  const wantFlow = methods.includes('flow');
  const tokens = methods.includes('rollout') || methods.includes('alignment') || wantFlow ? await withFlow(analyze, wantFlow) : undefined;
  const { capabilities } = await service.model(modelDir);
  const valueMaps = new Map<MapMethod, AnalysisResult>();
  for (const method of VALUE_PATHS) if (methods.includes(method) && valuePathAvailability(capabilities, method).available) valueMaps.set(method, await analyze(method));
  const targets: PerturbationTarget[] = [];
  const maps: Map<MapMethod, MethodMap>[] = [];
  for (const [j, prompt] of prompts.entries()) {
    const target = await service.perturbation({ modelDir, image: path, texts: scoreTexts, text: scoreTexts.indexOf(prompt), score: options.score });
    const perObject = new Map<MapMethod, MethodMap>();
    for (const method of methods) {
      if (method === 'rollout') perObject.set(method, fromAnalysis(tokens?.result.maps.rollout[0], 'the model hides its attention (fused operators), so there is no rollout'));
      if (method === 'flow') perObject.set(method, fromAnalysis(tokens?.result.maps.flow?.[0], tokens?.flowRefused ?? 'attention flow is not computed for this model (hidden attention, or a family without it)'));
      if (method === 'alignment') perObject.set(method, fromAnalysis(tokens?.result.maps.alignment[0]?.[j], 'the graph gives no patch alignment maps (see `mmlens inspect`)'));
      if (isValuePath(method)) {
        const availability = valuePathAvailability(capabilities, method);
        perObject.set(method, availability.available ? fromAnalysis(valueMaps.get(method)?.maps.alignment[0]?.[j], '') : { unavailable: availability.reason });
      }
      if (method === 'occlusion') perObject.set(method, await occlusionMap(target.image, target.fills.gray, target.score, options));
      if (method === 'rise') {
        const [fill, edges] = options.risePaper ? [target.fills.mean, 'reflect' as const] : [target.fills.gray, 'clamp' as const];
        perObject.set(method, await riseMap(target.image, fill, target.score, { ...options, masks: options.riseMasks, seed: options.riseSeed, edges }));
      }
    }
    targets.push(target);
    maps.push(perObject);
  }
  return { maps, targets };
}

/** The patch-token analysis, with attention flow when asked; a model too large for flow gets the rest and the refusal as its reason. */
async function withFlow(analyze: (alignment: AlignmentMethod, flow?: boolean) => Promise<AnalysisResult>, flow: boolean): Promise<{ result: AnalysisResult; flowRefused?: string }> {
  try {
    return { result: await analyze('patchTokens', flow) };
  } catch (error) {
    if (!flow || !(error instanceof LensError) || error.kind !== 'badInput') throw error;
    return { result: await analyze('patchTokens'), flowRefused: error.message };
  }
}

function isValuePath(method: MapMethod): method is (typeof VALUE_PATHS)[number] {
  return (VALUE_PATHS as readonly MapMethod[]).includes(method);
}

function fromAnalysis(matrix: Matrix | undefined, why: string): MethodMap {
  return matrix ? { map: Float32Array.from(matrix.flat()), forwardPasses: 1 } : { unavailable: why };
}
