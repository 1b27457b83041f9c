/** Every `mmlens` subcommand, in the order `--help` lists them. A new command adds one line here. */
import type { CliCommand } from './command';
import { analyzeCommand } from './analyzeCommand';
import { inspectCommand } from './inspectCommand';
import { zeroShotCommand } from './zeroShotCommand';
import { probeCommand } from './probeCommand';
import { evaluateCommand } from './evaluateCommand';
import { generateCommand } from './generateCommand';
import { headsCommand } from './headsCommand';

/** The registered commands. */
export const COMMANDS: readonly CliCommand[] = [analyzeCommand, inspectCommand, probeCommand, zeroShotCommand, evaluateCommand, generateCommand, headsCommand];
