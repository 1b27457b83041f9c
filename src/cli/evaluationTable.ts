/** The plain-text table `mmlens evaluate` prints: one row per map method, then how to read it. */
import type { EvaluationResult } from '../evaluation/evaluateMaps';
import type { ManifestEvaluationResult, MethodSummary, PerturbationScoreKind } from '../shared/mapEvaluation';
import type { WordEvaluationResult } from '../evaluation/evaluateWords';

/** What a score kind is, the probability's texts named by `among`. */
function scoreText(kind: PerturbationScoreKind, among: string): string {
  if (kind === 'probability') return `the prompt's probability among ${among}`;
  return kind === 'similarity' ? 'the cosine similarity of image and prompt' : 'the image-text matching probability of the prompt';
}

/** Header, one row per method (metrics as means over every object), and a legend. */
export function evaluationTable(result: EvaluationResult): string {
  const { model, petsiukCurves } = result;
  const lines = [
    `model ${model.name} (${model.architecture}) on ${model.executionProvider}; seed ${result.seed}, ${result.scenes} scenes, ${result.objects} objects`,
    `score: ${scoreText(result.score, 'the 24 one-object prompts')}; curves in ${result.curveSteps} steps, divided by the unperturbed score; RISE: ${result.riseMasks} masks, ${result.risePaper ? "the authors' mean-colour fill and reflected mask edges" : 'mid-grey fill'}`,
    '',
    ...methodRows(result.methods, petsiukCurves),
    '',
    ...legend(result.torchRayTolerance, 'object', 'the object\'s box'),
    ...(petsiukCurves ? PETSIUK_LEGEND : []),
  ];
  return lines.join('\n');
}

/** The column heads and one row per method. */
function methodRows(methods: readonly MethodSummary[], petsiuk: boolean): string[] {
  const heads = petsiuk ? ` ${'del (P)'.padStart(8)} ${'ins (P)'.padStart(8)}` : '';
  return [
    `${'method'.padEnd(10)} ${'pointing'.padStart(8)} ${'TorchRay'.padStart(8)} ${'energy'.padStart(7)} ${'deletion'.padStart(8)} ${'insertion'.padStart(9)} ${'passes/map'.padStart(10)}${heads}`,
    ...methods.map((m) => row(m, petsiuk)),
  ];
}

/** How to read the columns; `what` is scored (an object, a case) and `boxes` names where it should point. */
function legend(tolerance: number, what: string, boxes: string): string[] {
  return [
    `pointing: share of ${what}s where the map's maximum touches ${boxes}; TorchRay: the pointing game as`,
    `TorchRay plays it (map resized to the image, a hit within ${tolerance} px of a box, mean of per-class rates); energy: share of the map's`,
    `positive mass inside ${boxes}; deletion/insertion: area under the score curve as the map's top patches are`,
    'greyed out (lower is better) or revealed on grey (higher is better). docs/methods.md explains each method.',
  ];
}

const PETSIUK_LEGEND = [
  'del (P) / ins (P): the same curves as Petsiuk et al. 2018 measured them (pixels in the map\'s order, one row\'s',
  'worth a step, onto the mean colour or into the blurred image, raw scores, their AUC).',
];

/** The table of a manifest's evaluation: what was read, one row per method, the worst cases of each, and a legend. */
export function manifestEvaluationTable(result: ManifestEvaluationResult): string {
  const { model, manifest, petsiukCurves } = result;
  const skipped = [
    manifest.missingImages.count > 0 ? `${manifest.missingImages.count} rows with missing images` : '',
    manifest.outsideImages.count > 0 ? `${manifest.outsideImages.count} with images outside the manifest's folder (--allow-outside-paths)` : '',
    manifest.failedImages.count > 0 ? `${manifest.failedImages.count} images the model could not take (${manifest.failedImages.examples[0]})` : '',
  ].filter(Boolean);
  const ended = result.cancelled ? 'cancelled: ' : result.stoppedBy ? `stopped by a faulty row (${result.stoppedBy}): ` : manifest.limited ? `the first ${manifest.limit} (--limit): ` : '';
  const score = result.score === null ? 'none scored' : result.template === null ? `${scoreText(result.score, 'its own texts')} (each phrase alone)` : scoreText(result.score, "every category's prompt");
  const lines = [
    `model ${model.name} (${model.architecture}) on ${model.executionProvider}; ${manifest.path} (${manifest.format === 'coco' ? 'COCO instances' : 'phrases with boxes'}): ${ended}${result.cases.length} cases in ${manifest.images} images`,
    ...(skipped.length > 0 ? [`skipped: ${skipped.join('; ')}`] : []),
    `${result.template === null ? 'texts as written' : `categories through "${result.template}"`}; score: ${score}${result.methods.some((m) => m.name === 'rise') ? `; RISE: ${result.riseMasks} masks${result.risePaper ? ", the authors' mean-colour fill and reflected mask edges" : ''}` : ''}`,
    '',
    ...methodRows(result.methods, petsiukCurves),
    '',
    ...result.worst.filter((w) => w.cases.length > 0).map((w) => `worst for ${w.method}: ${w.cases.map((i) => worstCase(result, i, w.method)).join('; ')}`),
    '',
    ...legend(result.torchRayTolerance, 'case', 'a box of the text'),
    ...(petsiukCurves ? PETSIUK_LEGEND : []),
  ];
  return lines.join('\n');
}

function worstCase(result: ManifestEvaluationResult, index: number, method: MethodSummary['name']): string {
  const c = result.cases[index];
  const m = c.measures[method]!;
  return `${c.where} "${c.text}" (${m.pointingGame ? 'hit' : 'miss'}, energy ${m.energyInBox.toFixed(2)})`;
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
