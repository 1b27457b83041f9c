/**
 * Command-line parsing for `mmlens`: the first word picks the command, its flags are checked strictly, and
 * every mistake becomes a badInput error (exit status 2) that says which flag was wrong.
 */
import { parseArgs } from 'node:util';
import { badInput } from '../core/errors';
import { parseExecutionProvider, type ExecutionProviderSetting } from '../inference/runtime/executionProvider';
import { MODEL_VARIANTS, type ModelVariant } from '../inference/model/onnxFiles';
import { COMMON_FLAGS, type CliCommand, type FlagValues } from './command';

/** A parsed command line: a command with its flags, or a request for help or the version. */
export type ParsedCommandLine =
  | { kind: 'run'; command: CliCommand; values: FlagValues; model?: string; ep: ExecutionProviderSetting; variant: ModelVariant }
  | { kind: 'help' }
  | { kind: 'version' };

/** The usage text printed by `mmlens --help` and after usage errors. */
export function usage(commands: readonly CliCommand[]): string {
  return [
    'mmlens: look inside multimodal (image-text) transformers.',
    '',
    'Usage:',
    ...commands.map((c) => `  mmlens ${c.usage}`),
    '  mmlens --help | --version',
    '',
    'Every command takes [--model DIR] (default: the bundled demo model), [--ep auto|cpu|webgpu|cuda],',
    `[--variant ${MODEL_VARIANTS.join('|')}] (which of the folder's graph files runs; default fp32) and`,
    '[--json FILE|-] (- for standard output).',
    'Exit status: 0 success, 2 bad input (the message says what to fix), 1 internal error.',
  ].join('\n');
}

/** Parses argv (without the node and script paths) against the known commands. */
export function parseCommandLine(argv: string[], commands: readonly CliCommand[]): ParsedCommandLine {
  if (argv.length === 0) throw badInput('No command given.', `Run one of: ${names(commands)}; \`mmlens --help\` shows the usage.`);
  if (argv[0] === '--help' || argv[0] === '-h') return { kind: 'help' };
  if (argv[0] === '--version') return { kind: 'version' };
  const command = commands.find((c) => c.name === argv[0]);
  if (!command) throw badInput(`Unknown command "${argv[0]}".`, `The commands are ${names(commands)}; \`mmlens --help\` shows the usage.`);
  let parsed;
  try {
    // --help after the command is a flag like any other, so a text "-h" is never taken for it (it needs --text=-h).
    parsed = parseArgs({ args: argv.slice(1), options: { ...COMMON_FLAGS, ...command.flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw badInput(`${(error as Error).message.replace(/\.$/, '')}.`, `Usage: mmlens ${command.usage}`);
  }
  if (parsed.positionals.length > 0) throw badInput(`Unexpected argument "${parsed.positionals[0]}".`, `Usage: mmlens ${command.usage}`);
  if (parsed.values.help === true) return { kind: 'help' };
  const values = parsed.values as FlagValues;
  return { kind: 'run', command, values, model: values.model as string | undefined, ep: parseExecutionProvider((values.ep as string | undefined) ?? 'auto'), variant: parseVariant(values.variant) };
}

/** --variant: one of the variants transformers.js ships, fp32 when absent. */
function parseVariant(value: FlagValues[string]): ModelVariant {
  if (value === undefined) return 'fp32';
  const variant = MODEL_VARIANTS.find((v) => v === value);
  if (!variant) throw badInput(`Unknown --variant "${String(value)}".`, `Use one of ${MODEL_VARIANTS.join(', ')} (the graph file's suffix: fp16 runs onnx/vision_model_fp16.onnx).`);
  return variant;
}

/** The values of a repeatable string flag, with an error when it is required and missing. */
export function stringList(values: FlagValues, flag: string, command: CliCommand): string[] {
  const list = values[flag];
  if (!Array.isArray(list) || list.length === 0) throw badInput(`mmlens ${command.name} needs at least one --${flag}.`, `Usage: mmlens ${command.usage}`);
  return list;
}

/** A whole-number flag of at least `min` (and at most `max`), or undefined when absent. */
export function integerFlag(values: FlagValues, flag: string, command: CliCommand, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = typeof text === 'string' && /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw badInput(`--${flag} must be a whole number ${range}, got "${String(text)}".`, `Usage: mmlens ${command.usage}`);
  }
  return value;
}

/** A number flag in (`above`, `atMost`], or undefined when absent. */
export function numberFlag(values: FlagValues, flag: string, command: CliCommand, above: number, atMost = Infinity): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  if (!(value > above && value <= atMost)) {
    const range = atMost === Infinity ? `above ${above}` : `above ${above} and at most ${atMost}`;
    throw badInput(`--${flag} must be a number ${range}, got "${String(text)}".`, `Usage: mmlens ${command.usage}`);
  }
  return value;
}

function names(commands: readonly CliCommand[]): string {
  return commands.map((c) => c.name).join(', ');
}
