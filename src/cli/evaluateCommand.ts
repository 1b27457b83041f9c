/**
 * `mmlens evaluate`: pointing game, energy in box and deletion/insertion AUC of each map method on fresh
 * shapes-world scenes, or with `--manifest` on the user's own images with boxes (src/evaluation); writes the JSON
 * (`--json`), for a manifest the HTML report (`--html`), and, unless JSON goes to standard output, a table. The
 * seed is drawn at random unless given, and printed, so any run can be repeated.
 */
import { randomInt } from 'node:crypto';
import { badInput, LensError } from '../core/errors';
import { evaluateMaps, type EvaluateOptions } from '../evaluation/evaluateMaps';
import { DEFAULT_WORST, evaluateManifest, type ManifestEvaluateOptions } from '../evaluation/evaluateManifest';
import { evaluateWords, WORD_MAP_METHODS } from '../evaluation/evaluateWords';
import { DEFAULT_CASE_LIMIT, MAP_METHODS, MAX_CASE_LIMIT } from '../shared/mapEvaluation';
import { integerFlag } from './args';
import type { CliCommand, CommandContext, FlagValues } from './command';
import { evaluationTable, manifestEvaluationTable, wordEvaluationTable } from './evaluationTable';
import { buildHtmlReport } from './htmlReport';
import { refuseOverwritingInputs, sayWritten, terminalProgress, writeFileAtomically, writeJson } from './output';
import { readReportAssets } from './reportAssets';
import { terminalText } from './terminalText';

/** Defaults sized for about a minute on two CPU cores with the bundled demo model. */
const DEFAULT_SCENES = 20;
const DEFAULT_RISE_MASKS = 500;

/** The evaluate command. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  usage: `evaluate [--model DIR] [--scenes N] [--seed S] [--methods ${MAP_METHODS.join(',')}]\n` +
    '                 [--rise-masks N] [--rise-paper] [--petsiuk-curves] [--ep auto|cpu|webgpu|cuda] [--json FILE|-]\n' +
    `                 (a generative model: --methods ${WORD_MAP_METHODS.join(',')})\n` +
    '       evaluate --manifest FILE.jsonl|COCO.json [--model DIR] [--limit N] [--template T] [--image-root DIR]\n' +
    '                 [--allow-outside-paths] [--worst N] [--methods ...] [--seed S] [--rise-masks N] [--rise-paper]\n' +
    '                 [--petsiuk-curves] [--json FILE|-] [--html FILE]',
  flags: {
    scenes: { type: 'string' },
    seed: { type: 'string' },
    methods: { type: 'string' },
    'rise-masks': { type: 'string' },
    'petsiuk-curves': { type: 'boolean' },
    'rise-paper': { type: 'boolean' },
    manifest: { type: 'string' },
    limit: { type: 'string' },
    template: { type: 'string' },
    'image-root': { type: 'string' },
    'allow-outside-paths': { type: 'boolean' },
    worst: { type: 'string' },
    html: { type: 'string' },
  },
  async run(values, context) {
    if (values.manifest !== undefined) return runOnManifest(values, context);
    for (const flag of ['limit', 'template', 'image-root', 'allow-outside-paths', 'worst', 'html']) {
      if (values[flag] !== undefined) throw badInput(`--${flag} applies to a manifest's evaluation (--manifest FILE).`, 'Give --manifest, or leave the flag out for the shapes-world scenes.');
    }
    const { service, signal } = context;
    const modelDir = values.model as string | undefined;
    // A generative model is scored per generated word (evaluateWords.ts), any other per prompted object.
    const generative = (await service.model(modelDir)).capabilities.generation;
    if (generative && values['rise-paper']) throw badInput('--rise-paper applies to the RISE of a prompt\'s score; a generative model\'s word maps have their own RISE.', 'Leave --rise-paper out for a generative model.');
    if (generative && values['petsiuk-curves']) throw badInput('--petsiuk-curves measures the curves of a prompt\'s score; a generative model is scored per word, with no curves.', 'Leave --petsiuk-curves out for a generative model.');
    const common = {
      modelDir,
      scenes: integerFlag(values, 'scenes', evaluateCommand, 1, 100_000) ?? DEFAULT_SCENES,
      seed: integerFlag(values, 'seed', evaluateCommand, 0, 2 ** 32 - 1) ?? randomInt(2 ** 32 - 1),
      riseMasks: integerFlag(values, 'rise-masks', evaluateCommand, 1, 1_000_000) ?? DEFAULT_RISE_MASKS,
    };
    const progress = terminalProgress();
    if (progress.onProgress) process.stderr.write(`mmlens evaluate: ${common.scenes} scenes from seed ${common.seed}\n`);
    const run = { signal, onProgress: progress.onProgress };
    const [result, table] = generative
      ? await evaluateWords(service, { ...common, ...run, methods: methodsFlag(values, WORD_MAP_METHODS, 'a generative model') }).then((r) => [r, wordEvaluationTable(r)] as const)
      : await evaluateMaps(service, { ...common, ...run, methods: methodsFlag(values, MAP_METHODS, 'this model'), petsiukCurves: values['petsiuk-curves'] === true, risePaper: values['rise-paper'] === true } satisfies EvaluateOptions).then((r) => [r, evaluationTable(r)] as const);
    progress.clear();
    const json = values.json as string | undefined;
    if (json) await writeJson(json, result);
    if (json !== '-') console.log(terminalText(table));
    sayWritten([json], json);
  },
};

/** `evaluate --manifest`: the methods on the user's images with boxes; a cancelled run still writes the cases done. */
async function runOnManifest(values: FlagValues, { service, signal, packageRoot }: CommandContext): Promise<void> {
  const manifest = values.manifest;
  if (typeof manifest !== 'string' || manifest === '') throw badInput('--manifest needs a file.', `Usage: mmlens ${evaluateCommand.usage}`);
  if (values.scenes !== undefined) throw badInput('--scenes counts shapes-world scenes; a manifest brings its own images.', 'Use --limit N to score at most N of its cases.');
  const modelDir = values.model as string | undefined;
  const out = { json: values.json as string | undefined, html: values.html as string | undefined };
  refuseOverwritingInputs([out.json, out.html], [manifest]);
  const progress = terminalProgress();
  const options: ManifestEvaluateOptions = {
    modelDir,
    manifest,
    imageRoot: values['image-root'] as string | undefined,
    allowOutsidePaths: values['allow-outside-paths'] === true,
    template: values.template as string | undefined,
    limit: integerFlag(values, 'limit', evaluateCommand, 1, MAX_CASE_LIMIT) ?? DEFAULT_CASE_LIMIT,
    worst: integerFlag(values, 'worst', evaluateCommand, 0, 1000) ?? DEFAULT_WORST,
    methods: methodsFlag(values, MAP_METHODS, 'this model'),
    riseMasks: integerFlag(values, 'rise-masks', evaluateCommand, 1, 1_000_000) ?? DEFAULT_RISE_MASKS,
    seed: integerFlag(values, 'seed', evaluateCommand, 0, 2 ** 32 - 1) ?? randomInt(2 ** 32 - 1),
    risePaper: values['rise-paper'] === true,
    petsiukCurves: values['petsiuk-curves'] === true,
    signal,
    onProgress: progress.onProgress,
  };
  if (progress.onProgress) process.stderr.write(`mmlens evaluate: at most ${options.limit} cases of ${manifest}, RISE seed ${options.seed}\n`);
  const result = await evaluateManifest(service, options);
  progress.clear();
  if (out.json) await writeJson(out.json, result);
  if (out.html) await writeFileAtomically(out.html, buildHtmlReport({ result }, await readReportAssets(packageRoot, 'evaluation')));
  if (out.json !== '-') console.log(terminalText(manifestEvaluationTable(result)));
  sayWritten([out.json, out.html], out.json);
  if (result.cancelled) {
    process.stderr.write(`mmlens evaluate: cancelled after ${result.cases.length} cases${out.json || out.html ? '; what was written holds them' : ''}.\n`);
    throw new LensError('cancelled', 'The evaluation was cancelled.');
  }
}

/** `--methods a,b,...`: names among `known` (the methods for `which`), each once; every method when absent. */
function methodsFlag<M extends string>(values: FlagValues, known: readonly M[], which: string): M[] {
  const text = values.methods;
  if (typeof text !== 'string') return [...known];
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(known as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw badInput(`--methods: "${unknown}" is not a map method for ${which}.`, `Use a comma-separated list of ${known.join(', ')}.`);
  }
  return known.filter((method) => names.includes(method));
}
