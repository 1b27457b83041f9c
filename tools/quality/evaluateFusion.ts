/**
 * The shapes-world contract's figure for a single-stream model: matched captions against hard negatives
 * (colours swapped, shape swapped, relation reversed, position wrong), half and half, judged by ITM > 0.5.
 * Each scene contributes one negative of a kind chosen in turn and the matched caption it perturbs.
 */
import type { InferenceService } from '../../src/inference/service';
import type { HardNegative } from '../../src/shapesWorld/types';
import { writeScenes } from '../../src/evaluation/sceneFiles';
import type { QualityOptions } from './evaluateClip';

const KINDS: HardNegative['kind'][] = ['colourSwap', 'shapeSwap', 'relationReversed', 'positionWrong'];

/** Accuracy overall and per negative kind, with the number of pairs judged. */
export interface FusionQuality {
  accuracy: number;
  matchedAccuracy: number;
  byKind: Record<string, { accuracy: number; pairs: number }>;
  pairs: number;
}

/** Measures a single-stream model on `options.scenes` fresh two- and three-object scenes (2 pairs each). */
export async function evaluateFusion(service: InferenceService, modelDir: string, options: QualityOptions): Promise<FusionQuality> {
  const scenes = await writeScenes(options.dir, options.seed, options.scenes, [2, 3], 2 * options.scenes);
  const byKind: Record<string, { correct: number; pairs: number }> = {};
  let matchedCorrect = 0;
  for (const [k, scene] of scenes.entries()) {
    const negatives = scene.truth.hardNegatives;
    const negative = negatives.find((n) => n.kind === KINDS[k % KINDS.length]) ?? negatives[k % negatives.length];
    const result = await service.analyze({ modelDir, images: [scene.path], texts: [negative.of, negative.caption] });
    const [matched, perturbed] = result.itm![0];
    if (matched > 0.5) matchedCorrect++;
    const tally = (byKind[negative.kind] ??= { correct: 0, pairs: 0 });
    tally.pairs++;
    if (perturbed <= 0.5) tally.correct++;
  }
  const negativeCorrect = Object.values(byKind).reduce((s, t) => s + t.correct, 0);
  return {
    accuracy: (matchedCorrect + negativeCorrect) / (2 * scenes.length),
    matchedAccuracy: matchedCorrect / scenes.length,
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, t]) => [kind, { accuracy: t.correct / t.pairs, pairs: t.pairs }])),
    pairs: 2 * scenes.length,
  };
}
