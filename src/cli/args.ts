/**
 * Command-line parsing for `mmlens`. Every mistake becomes a badInput error (exit status 2) that says which
 * flag was wrong and shows the usage line of the command.
 */
import { parseArgs } from 'node:util';
import { badInput } from '../inference/errors';
import { parseExecutionProvider, type ExecutionProviderSetting } from '../inference/executionProvider';

/** Usage text printed by `mmlens --help` and after usage errors. */
export const USAGE = `mmlens: look inside multimodal (image-text) transformers.

Usage:
  mmlens analyze [--model DIR] --image PATH [--image PATH ...] --text TEXT [--text TEXT ...]
                 [--ep auto|cpu|webgpu|cuda] [--json FILE|-] [--html FILE] [--attention]
  mmlens inspect [--model DIR] [--ep auto|cpu|webgpu|cuda] [--json FILE|-]
  mmlens --help | --version

--model defaults to the bundled demo model. --json - writes JSON to standard output.
Exit status: 0 success, 2 bad input (the message says what to fix), 1 internal error.`;

/** Options of `mmlens analyze`. */
export interface AnalyzeArgs {
  command: 'analyze';
  model?: string;
  images: string[];
  texts: string[];
  ep: ExecutionProviderSetting;
  json?: string;
  html?: string;
  attention: boolean;
}

/** Options of `mmlens inspect`. */
export interface InspectArgs {
  command: 'inspect';
  model?: string;
  ep: ExecutionProviderSetting;
  json?: string;
}

/** A parsed command line. */
export type CliArgs = AnalyzeArgs | InspectArgs | { command: 'help' } | { command: 'version' };

const optionSpec = {
  model: { type: 'string' },
  image: { type: 'string', multiple: true },
  text: { type: 'string', multiple: true },
  ep: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  attention: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Parses argv (without the node and script paths). */
export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true, strict: true });
  } catch (error) {
    throw badInput(`${(error as Error).message}.`, 'Run `mmlens --help` for the usage.');
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw badInput(`Unexpected argument "${extra[0]}".`, 'Give images with --image and texts with --text.');
  const ep = parseExecutionProvider(values.ep ?? 'auto');
  const base = { model: values.model, ep, json: values.json };
  switch (command) {
    case 'analyze':
      return { command, ...base, images: required(values.image, '--image PATH'), texts: required(values.text, '--text TEXT'), html: values.html, attention: values.attention ?? false };
    case 'inspect':
      rejectFlags(command, { image: values.image, text: values.text, html: values.html, attention: values.attention });
      return { command, ...base };
    case undefined:
      throw badInput('No command given.', 'Run `mmlens analyze ...` or `mmlens inspect ...`; `mmlens --help` shows the usage.');
    default:
      throw badInput(`Unknown command "${command}".`, 'The commands are analyze and inspect; `mmlens --help` shows the usage.');
  }
}

function required(values: string[] | undefined, flag: string): string[] {
  if (!values || values.length === 0) throw badInput(`mmlens analyze needs at least one ${flag}.`, 'Run `mmlens --help` for the usage.');
  return values;
}

function rejectFlags(command: string, flags: Record<string, unknown>): void {
  const given = Object.entries(flags).find(([, value]) => value !== undefined);
  if (given) throw badInput(`--${given[0]} does not apply to mmlens ${command}.`, 'Run `mmlens --help` for the usage.');
}
