/**
 * `mmlens evaluate`: pointing game, energy in box and deletion/insertion AUC of each map method on fresh
 * shapes-world scenes (src/evaluation); writes the JSON (`--json`) and, unless JSON goes to standard output,
 * a table. The seed is drawn at random unless given, and printed, so any run can be repeated.
 */
import { randomInt } from 'node:crypto';
import { badInput } from '../core/errors';
import { evaluateMaps, type EvaluateOptions } from '../evaluation/evaluateMaps';
import { MAP_METHODS, type MapMethod } from '../evaluation/mapMethods';
import { integerFlag } from './args';
import type { CliCommand, FlagValues } from './command';
import { evaluationTable } from './evaluationTable';
import { sayWritten, terminalProgress, writeJson } from './output';
import { terminalText } from './terminalText';

/** Defaults sized for about a minute on two CPU cores with the bundled demo model. */
const DEFAULT_SCENES = 20;
const DEFAULT_RISE_MASKS = 500;

/** The evaluate command. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  usage: `evaluate [--model DIR] [--scenes N] [--seed S] [--methods ${MAP_METHODS.join(',')}]\n` +
    '                 [--rise-masks N] [--ep auto|cpu|webgpu|cuda] [--json FILE|-]',
  flags: {
    scenes: { type: 'string' },
    seed: { type: 'string' },
    methods: { type: 'string' },
    'rise-masks': { type: 'string' },
  },
  async run(values, { service, signal }) {
    const options: EvaluateOptions = {
      modelDir: values.model as string | undefined,
      scenes: integerFlag(values, 'scenes', evaluateCommand, 1, 100_000) ?? DEFAULT_SCENES,
      seed: integerFlag(values, 'seed', evaluateCommand, 0, 2 ** 32 - 1) ?? randomInt(2 ** 32 - 1),
      methods: methodsFlag(values),
      riseMasks: integerFlag(values, 'rise-masks', evaluateCommand, 1, 1_000_000) ?? DEFAULT_RISE_MASKS,
    };
    const progress = terminalProgress();
    if (progress.onProgress) process.stderr.write(`mmlens evaluate: ${options.scenes} scenes from seed ${options.seed}\n`);
    const result = await evaluateMaps(service, { ...options, signal, onProgress: progress.onProgress });
    progress.clear();
    const json = values.json as string | undefined;
    if (json) await writeJson(json, result);
    if (json !== '-') console.log(terminalText(evaluationTable(result)));
    sayWritten([json], json);
  },
};

/** `--methods a,b,...`: known names, each once; every method when absent. */
function methodsFlag(values: FlagValues): MapMethod[] {
  const text = values.methods;
  if (typeof text !== 'string') return [...MAP_METHODS];
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(MAP_METHODS as readonly string[]).includes(name));
  if (unknown !== undefined) {
    throw badInput(`--methods: "${unknown}" is not a map method.`, `Use a comma-separated list of ${MAP_METHODS.join(', ')}.`);
  }
  return MAP_METHODS.filter((method) => names.includes(method));
}
