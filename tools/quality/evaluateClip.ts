/**
 * The shapes-world contract's figures for a two-tower model (docs: shared shapes-world page): one-object
 * top-1 over the 24 prompts, present-vs-absent ranking in multi-object scenes, and the pointing game of the
 * patch alignment map. Everything runs through InferenceService.analyze, the CLI's own path.
 */
import type { InferenceService } from '../../src/inference/service';
import { ALL_KINDS, type ObjectKind } from '../../src/shapesWorld/vocab';
import { argmaxCell, boxRect, patchRect, touches } from '../../src/evaluation/pointing';
import { writeScenes } from '../../src/evaluation/sceneFiles';

/** The measured figures and how many cases each is over. */
export interface ClipQuality {
  oneObjectTop1: number;
  multiObjectRanking: number;
  pointingGame: number;
  counts: { oneObjectScenes: number; rankingPairs: number; pointedObjects: number; multiObjectScenes: number };
}

/** Options: where to write scenes, the seed, and how many scenes of each kind. */
export interface QualityOptions {
  dir: string;
  seed: number;
  scenes: number;
}

const prompt = (k: ObjectKind) => `a ${k.colour} ${k.shape}`;
const PROMPTS = ALL_KINDS.map(prompt);

/** Measures a two-tower model on fresh one-object and two/three-object scenes. */
export async function evaluateClip(service: InferenceService, modelDir: string, options: QualityOptions): Promise<ClipQuality> {
  const model = await service.model(modelDir);
  const single = await writeScenes(options.dir, options.seed, options.scenes, [1], 0);
  const one = await service.analyze({ modelDir, images: single.map((s) => s.path), texts: PROMPTS });
  const top1 = single.filter((s, i) => argmax(one.similarity[i]) === PROMPTS.indexOf(prompt(s.truth.objects[0]))).length;

  const multi = await writeScenes(options.dir, options.seed, options.scenes, [2, 3], options.scenes);
  const many = await service.analyze({ modelDir, images: multi.map((s) => s.path), texts: PROMPTS });
  let ranked = 0;
  let pairs = 0;
  let hits = 0;
  let pointed = 0;
  multi.forEach((scene, i) => {
    const present = new Set(scene.truth.objects.map(prompt));
    const absent = PROMPTS.map((p, j) => [p, j] as const).filter(([p]) => !present.has(p));
    for (const object of scene.truth.objects) {
      const j = PROMPTS.indexOf(prompt(object));
      for (const [, a] of absent) {
        pairs++;
        if (many.similarity[i][j] > many.similarity[i][a]) ranked++;
      }
      const cell = argmaxCell(many.maps.alignment[i][j]);
      pointed++;
      if (touches(patchRect(cell, many.grid, { width: scene.truth.size, height: scene.truth.size }, model.folder.preprocessor), boxRect(object.box))) hits++;
    }
  });
  return {
    oneObjectTop1: top1 / single.length,
    multiObjectRanking: ranked / pairs,
    pointingGame: hits / pointed,
    counts: { oneObjectScenes: single.length, rankingPairs: pairs, pointedObjects: pointed, multiObjectScenes: multi.length },
  };
}

function argmax(values: number[]): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}
