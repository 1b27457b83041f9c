/**
 * The shape of an `mmlens` command: its name, usage line, flags (node:util parseArgs options) and what it
 * runs. Every command gets the common flags (--model, --ep, --json) and a shared inference service.
 */
import type { ParseArgsConfig } from 'node:util';
import type { InferenceService } from '../inference/service';

/** Flag definitions in node:util parseArgs form. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flag values: strings, string lists and booleans. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** What a running command may use. */
export interface CommandContext {
  service: InferenceService;
  /** The package root, for bundled models and built webview assets. */
  packageRoot: string;
  signal: AbortSignal;
}

/** One subcommand of `mmlens`. */
export interface CliCommand {
  name: string;
  /** The usage line(s), without the leading `mmlens `. */
  usage: string;
  /** The command's own flags (the common ones are added). */
  flags: FlagSpec;
  /** Checks the parsed values (throwing badInput with a fix) and runs. */
  run(values: FlagValues, context: CommandContext): Promise<void>;
}

/** Flags every command accepts. */
export const COMMON_FLAGS = {
  model: { type: 'string' },
  ep: { type: 'string' },
  variant: { type: 'string' },
  json: { type: 'string' },
} as const satisfies FlagSpec;
