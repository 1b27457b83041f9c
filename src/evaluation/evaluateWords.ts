/**
 * `mmlens evaluate` on a generative model: faithfulness per generated word. On fresh shapes-world scenes the model
 * describes each image ("Describe the image.", greedy); every colour or shape word it writes that names exactly one
 * object of the scene is scored for each map method: the pointing game (the word's map peaks on an image token
 * whose region touches the object's box) and the energy in the box (the share of the map's positive mass in the
 * regions, each weighted by how much of it the box covers). Words naming no object, or several, are counted apart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LongRunOptions } from '../core/progress';
import type { GenerationRequest, InferenceService } from '../inference/service';
import type { SceneObject, SceneTruth } from '../shapesWorld/types';
import { COLOUR_WORDS, SHAPE_WORDS } from '../shapesWorld/vocab';
import type { GeneratedToken, GenerationResult } from '../shared/generationResult';
import { boxRect, coveredShare, touches, type Rect } from './pointing';
import { writeScenes } from './sceneFiles';

/** The word map methods: attention with heads averaged or maxed over all layers, the first or last layer alone, occlusion and RISE. */
export const WORD_MAP_METHODS = ['attention', 'attention-max', 'first-layer', 'last-layer', 'occlusion', 'rise'] as const;
/** One word map method. */
export type WordMapMethod = (typeof WORD_MAP_METHODS)[number];

/** The prompt every scene is described with. */
export const DESCRIBE = 'Describe the image.';

/** What to evaluate. */
export interface WordEvaluationOptions extends LongRunOptions {
  modelDir?: string;
  scenes: number;
  seed: number;
  methods: readonly WordMapMethod[];
  riseMasks: number;
}

/** One method's means over the words scored. */
export interface WordMethodSummary {
  name: WordMapMethod;
  words: number;
  pointingGame: number | null;
  energyInBox: number | null;
}

/** The JSON of `mmlens evaluate` on a generative model. */
export interface WordEvaluationResult {
  schemaVersion: number;
  kind: 'words';
  model: { name: string; family: string; executionProvider: string };
  seed: number;
  scenes: number;
  /** Colour and shape words written that name exactly one object (scored), none, or several (not scored). */
  words: { scored: number; namingNoObject: number; ambiguous: number };
  riseMasks: number;
  methods: WordMethodSummary[];
}

/** Version of the JSON above. */
export const WORD_EVALUATION_SCHEMA_VERSION = 1;

/** Runs the evaluation on `options.scenes` fresh one-, two- and three-object scenes drawn from `options.seed`. */
export async function evaluateWords(service: InferenceService, options: WordEvaluationOptions): Promise<WordEvaluationResult> {
  const sums = new Map(options.methods.map((m) => [m, { words: 0, hits: 0, energy: 0 }]));
  const words = { scored: 0, namingNoObject: 0, ambiguous: 0 };
  let model: WordEvaluationResult['model'] | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'mmlens-evaluate-words-'));
  try {
    const scenes = await writeScenes(dir, options.seed, options.scenes, [1, 2, 3], 0);
    for (const [index, scene] of scenes.entries()) {
      const runs = await describeWithEveryMethod(service, scene.path, options);
      const first = runs.values().next().value as GenerationResult;
      model ??= { name: first.model.name, family: first.model.family, executionProvider: first.model.executionProvider };
      first.generated.forEach((token, k) => {
        const named = namedObjects(token.text, scene.truth);
        if (named === undefined) return;
        if (named.length !== 1) {
          words[named.length === 0 ? 'namingNoObject' : 'ambiguous']++;
          return;
        }
        words.scored++;
        for (const [method, result] of runs) {
          const score = wordScore(result.generated[k], method, result, boxRect(named[0].box));
          if (!score) continue;
          const sum = sums.get(method)!;
          sum.words++;
          sum.hits += score.hit ? 1 : 0;
          sum.energy += score.energy;
        }
      });
      options.onProgress?.({ stage: 'scenes', done: index + 1, total: options.scenes });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    schemaVersion: WORD_EVALUATION_SCHEMA_VERSION,
    kind: 'words',
    model: model ?? { name: '', family: '', executionProvider: '' },
    seed: options.seed,
    scenes: options.scenes,
    words,
    riseMasks: options.riseMasks,
    methods: options.methods.map((name) => {
      const { words: n, hits, energy } = sums.get(name)!;
      return { name, words: n, pointingGame: n > 0 ? hits / n : null, energyInBox: n > 0 ? energy / n : null };
    }),
  };
}

/** The scene described once per method (greedy: the same answer each time), in the order of `options.methods`. */
async function describeWithEveryMethod(service: InferenceService, path: string, options: WordEvaluationOptions): Promise<Map<WordMapMethod, GenerationResult>> {
  const base: GenerationRequest = { modelDir: options.modelDir, images: [path], prompt: DESCRIBE };
  const plain = await service.generate(base, { signal: options.signal });
  const last = plain.fusion.layers[1];
  const requests: Record<WordMapMethod, GenerationRequest> = {
    attention: base,
    'attention-max': { ...base, fusion: { heads: 'max' } },
    'first-layer': { ...base, fusion: { layers: [0, 0] } },
    'last-layer': { ...base, fusion: { layers: [last, last] } },
    occlusion: { ...base, perturbation: { method: 'occlusion' } },
    rise: { ...base, perturbation: { method: 'rise', masks: options.riseMasks, seed: options.seed } },
  };
  const runs = new Map<WordMapMethod, GenerationResult>();
  for (const method of options.methods) runs.set(method, method === 'attention' ? plain : await service.generate(requests[method], { signal: options.signal }));
  return runs;
}

/** The scene's objects a colour or shape word names; undefined for any other word. */
export function namedObjects(text: string, truth: SceneTruth): SceneObject[] | undefined {
  const word = text.trim().toLowerCase();
  if ((COLOUR_WORDS as readonly string[]).includes(word)) return truth.objects.filter((o) => o.colour === word);
  if ((SHAPE_WORDS as readonly string[]).includes(word)) return truth.objects.filter((o) => o.shape === word);
  return undefined;
}

/** One word's pointing hit and energy in `box` under `method`; undefined when the method gave it no map. */
function wordScore(token: GeneratedToken, method: WordMapMethod, result: GenerationResult, box: Rect): { hit: boolean; energy: number } | undefined {
  const values = method === 'occlusion' || method === 'rise' ? token.perturbationMap?.[0] : token.map[0];
  const regions = result.images[0]?.regions;
  if (!values || values.length === 0 || !regions || regions.length !== values.length) return undefined;
  const rects = regions.map(([x0, y0, x1, y1]) => ({ x0, y0, x1, y1 }));
  const max = Math.max(...values);
  // Every token at the maximum must touch the box, as the CLIP pointing game asks of tied patches.
  const hit = values.every((v, t) => v < max || touches(rects[t], box));
  let [inside, total] = [0, 0];
  values.forEach((v, t) => {
    const mass = Math.max(0, v);
    total += mass;
    inside += mass * Math.min(1, coveredShare(rects[t], box));
  });
  return { hit, energy: total > 0 ? inside / total : 0 };
}
