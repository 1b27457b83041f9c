/** The plain-text table `mmlens evaluate` prints: one row per map method, then how to read it. */
import type { EvaluationResult, MethodSummary } from '../evaluation/evaluateMaps';
import type { WordEvaluationResult } from '../evaluation/evaluateWords';

const SCORES = {
  probability: 'the prompt\'s probability among the 24 one-object prompts',
  similarity: 'the cosine similarity of image and prompt',
  itm: 'the image-text matching probability of the prompt',
} as const;

/** Header, one row per method (metrics as means over every object), and a legend. */
export function evaluationTable(result: EvaluationResult): string {
  const { model, petsiukCurves } = result;
  const petsiuk = petsiukCurves ? ` ${'del (P)'.padStart(8)} ${'ins (P)'.padStart(8)}` : '';
  const lines = [
    `model ${model.name} (${model.architecture}) on ${model.executionProvider}; seed ${result.seed}, ${result.scenes} scenes, ${result.objects} objects`,
    `score: ${SCORES[result.score]}; curves in ${result.curveSteps} steps, divided by the unperturbed score; RISE: ${result.riseMasks} masks, ${result.risePaper ? "the authors' mean-colour fill and reflected mask edges" : 'mid-grey fill'}`,
    '',
    `${'method'.padEnd(10)} ${'pointing'.padStart(8)} ${'TorchRay'.padStart(8)} ${'energy'.padStart(7)} ${'deletion'.padStart(8)} ${'insertion'.padStart(9)} ${'passes/map'.padStart(10)}${petsiuk}`,
    ...result.methods.map((m) => row(m, petsiukCurves)),
    '',
    'pointing: share of objects where the map\'s maximum touches the object\'s box; TorchRay: the pointing game as',
    `TorchRay plays it (map resized to the image, a hit within ${result.torchRayTolerance} px of the box, mean of per-class rates); energy: share of the map's`,
    'positive mass inside the box; deletion/insertion: area under the score curve as the map\'s top patches are',
    'greyed out (lower is better) or revealed on grey (higher is better). docs/methods.md explains each method.',
    ...(petsiukCurves
      ? ['del (P) / ins (P): the same curves as Petsiuk et al. 2018 measured them (pixels in the map\'s order, one row\'s',
        'worth a step, onto the mean colour or into the blurred image, raw scores, their AUC).']
      : []),
  ];
  return lines.join('\n');
}

function row(m: MethodSummary, petsiuk: boolean): string {
  const name = m.name.padEnd(10);
  if (m.unavailable) return `${name} unavailable: ${m.unavailable}`;
  const fixed = (v: number | null, digits: number, width: number) => (v === null ? '-' : v.toFixed(digits)).padStart(width);
  const percent = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`).padStart(8);
  return `${name} ${percent(m.pointingGame)} ${percent(m.pointingGameTorchRay)} ${fixed(m.energyInBox, 3, 7)} ${fixed(m.deletionAuc, 3, 8)} ${fixed(m.insertionAuc, 3, 9)} ${fixed(m.forwardPasses, 0, 10)}${petsiuk ? ` ${fixed(m.deletionAucPetsiuk, 3, 8)} ${fixed(m.insertionAucPetsiuk, 3, 8)}` : ''}`;
}

/** The table of a generative model's evaluation: one row per map method over the colour and shape words scored. */
export function wordEvaluationTable(result: WordEvaluationResult): string {
  const { model, words } = result;
  const percent = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
  return [
    `model ${model.name} (${model.family}) on ${model.executionProvider}; seed ${result.seed}, ${result.scenes} scenes described ("Describe the image.")`,
    `words scored: ${words.scored} colour and shape words naming one object (${words.namingNoObject} named none, ${words.ambiguous} several, not scored)`,
    '',
    `${'method'.padEnd(14)} ${'pointing'.padStart(8)} ${'energy'.padStart(7)} ${'words'.padStart(6)}`,
    ...result.methods.map((m) => `${m.name.padEnd(14)} ${percent(m.pointingGame).padStart(8)} ${(m.energyInBox === null ? '-' : m.energyInBox.toFixed(3)).padStart(7)} ${String(m.words).padStart(6)}`),
    '',
    'pointing: share of words whose map peaks on an image token whose region touches the named object\'s box;',
    'energy: share of the map\'s positive mass inside the box. attention: heads averaged over every decoder layer;',
    `attention-max: heads' maximum; first-layer / last-layer: one layer alone; occlusion: each image token hidden in turn;`,
    `rise: ${result.riseMasks} random masks (LLaVA-style models). docs/methods.md explains each method.`,
  ].join('\n');
}
