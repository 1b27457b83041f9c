/**
 * `mmlens`: the command line over src/inference and src/analysis. Exit status 0 on success, 2 when the
 * user's input is at fault (the message says what to fix), 1 on an internal error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUserError, LensError } from '../inference/errors';
import { bundledModelDir } from '../inference/bundledModels';
import { InferenceService } from '../inference/service';
import { parseCliArgs, USAGE, type CliArgs } from './args';
import { runAnalyze } from './analyzeCommand';
import { writeJson } from './output';

/** The package root: dist/cli.js lives one folder below it. */
const packageRoot = join(__dirname, '..');

async function run(args: CliArgs, signal: AbortSignal): Promise<void> {
  if (args.command === 'help') return void console.log(USAGE);
  if (args.command === 'version') return void console.log(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version);
  const service = new InferenceService({ executionProvider: args.ep, defaultModelDir: bundledModelDir(packageRoot) });
  try {
    if (args.command === 'analyze') await runAnalyze(service, args, packageRoot, signal);
    else await writeJson(args.json ?? '-', await service.inspect(args.model));
  } finally {
    await service.dispose();
  }
}

async function main(): Promise<void> {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    await run(parseCliArgs(process.argv.slice(2)), controller.signal);
    process.exitCode = 0;
  } catch (error) {
    if (isUserError(error)) {
      console.error(`mmlens: ${error.message}`);
      process.exitCode = 2;
    } else if (error instanceof LensError && error.kind === 'cancelled') {
      console.error('mmlens: cancelled.');
      process.exitCode = 130;
    } else {
      console.error(`mmlens: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      console.error('Please report this with the command you ran.');
      process.exitCode = 1;
    }
  }
}

void main();
