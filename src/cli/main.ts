/**
 * `mmlens`: the command line over src/inference and src/analysis. Exit status 0 on success, 2 when the
 * user's input is at fault (the message says what to fix), 1 on an internal error.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isUserError, LensError } from '../core/errors';
import { bundledModelDir } from '../inference/model/bundledModels';
import { InferenceService } from '../inference/service';
import { parseCommandLine, usage, type ParsedCommandLine } from './args';
import { COMMANDS } from './commands';
import { cliArguments, relaunchIfCommandLineTooLong } from './relaunch';
import { terminalText } from './terminalText';

/** The package root: dist/cli.js lives one folder below it. */
const packageRoot = join(__dirname, '..');

/**
 * Where onnxruntime's optimized models are kept between runs: $MMLENS_CACHE_DIR (empty: no cache), else
 * $XDG_CACHE_HOME/mmlens/sessions, else ~/.cache/mmlens/sessions.
 */
function sessionCacheDir(env = process.env): string | undefined {
  if (env.MMLENS_CACHE_DIR !== undefined) return env.MMLENS_CACHE_DIR || undefined;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mmlens', 'sessions');
}

async function run(line: ParsedCommandLine, signal: AbortSignal): Promise<void> {
  if (line.kind === 'help') return void console.log(usage(COMMANDS));
  if (line.kind === 'version') return void console.log(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  const service = new InferenceService({ executionProvider: line.ep, modelVariant: line.variant, defaultModelDir: bundledModelDir(packageRoot), cacheDir: sessionCacheDir() });
  try {
    await line.command.run(line.values, { service, packageRoot, signal });
  } finally {
    await service.dispose();
  }
}

async function main(): Promise<void> {
  const relaunched = relaunchIfCommandLineTooLong();
  if (relaunched) {
    process.exitCode = await relaunched;
    return;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    await run(parseCommandLine(cliArguments(), COMMANDS), controller.signal);
    process.exitCode = 0;
  } catch (error) {
    if (isUserError(error)) {
      console.error(terminalText(`mmlens: ${error.message}`));
      process.exitCode = 2;
    } else if (error instanceof LensError && error.kind === 'cancelled') {
      console.error('mmlens: cancelled.');
      process.exitCode = 130;
    } else {
      console.error(terminalText(`mmlens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
      console.error('Please report this with the command you ran.');
      process.exitCode = 1;
    }
  }
}

void main();
