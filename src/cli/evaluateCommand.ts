/**
 * `mmlens evaluate`: pointing game, energy in box and deletion/insertion AUC of each map method on fresh
 * shapes-world scenes (src/evaluation); writes the JSON (`--json`) and, unless JSON goes to standard output,
 * a table. The seed is drawn at random unless given, and printed, so any run can be repeated.
 */
import { randomInt } from 'node:crypto';
import { badInput } from '../core/errors';
import { evaluateMaps, type EvaluateOptions } from '../evaluation/evaluateMaps';
import { evaluateWords, WORD_MAP_METHODS } from '../evaluation/evaluateWords';
import { MAP_METHODS } from '../evaluation/mapMethods';
import { integerFlag } from './args';
import type { CliCommand, FlagValues } from './command';
import { evaluationTable, wordEvaluationTable } from './evaluationTable';
import { sayWritten, terminalProgress, writeJson } from './output';
import { terminalText } from './terminalText';

/** Defaults sized for about a minute on two CPU cores with the bundled demo model. */
const DEFAULT_SCENES = 20;
const DEFAULT_RISE_MASKS = 500;

/** The evaluate command. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  usage: `evaluate [--model DIR] [--scenes N] [--seed S] [--methods ${MAP_METHODS.join(',')}]\n` +
    '                 [--rise-masks N] [--rise-paper] [--petsiuk-curves] [--ep auto|cpu|webgpu|cuda] [--json FILE|-]\n' +
    `                 (a generative model: --methods ${WORD_MAP_METHODS.join(',')})`,
  flags: {
    scenes: { type: 'string' },
    seed: { type: 'string' },
    methods: { type: 'string' },
    'rise-masks': { type: 'string' },
    'petsiuk-curves': { type: 'boolean' },
    'rise-paper': { type: 'boolean' },
  },
  async run(values, { service, signal }) {
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
