/**
 * One fuzz worker process: prepares one target and runs cases [start, end) of it, printing one line per
 * case (`R {json}`) for the supervisor (supervisor.ts), which watches for hangs and crashes. Before each case
 * its index (then what was mutated) is written synchronously to the status file, so a hang or a native crash
 * can be attributed.
 * Usage: node --import tsx test/fuzz/runFuzz.ts TARGET SEED START END STATUS_FILE
 */
import { writeFileSync } from 'node:fs';
import { isUserError } from '../../src/core/errors';
import type { CaseLine } from './fuzzTarget';
import { caseSeed, FuzzRandom } from './random';
import { fuzzTargets } from './targets';

function describe(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error thrown: ${String(error)}`;
  const stack = (error.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' | ');
  const kind = 'kind' in error ? ` (kind ${String(error.kind)})` : '';
  return `${error.name}${kind}: ${error.message.slice(0, 400)} @ ${stack}`;
}

async function main(): Promise<void> {
  const [name, seedText, startText, endText, statusFile] = process.argv.slice(2);
  const target = fuzzTargets[name];
  if (!target || !statusFile) throw new Error('usage: runFuzz.ts TARGET SEED START END STATUS_FILE');
  const seed = Number(seedText);
  let current: CaseLine | undefined;
  // A rejection nobody awaited belongs to the case that was running: it is a failure of that case.
  process.on('unhandledRejection', (reason) => {
    if (current) {
      current.outcome = 'fail';
      current.error = `unhandled rejection: ${describe(reason)}`;
    }
  });
  const runner = await target.prepare();
  process.stdout.write('P\n');
  for (let index = Number(startText); index < Number(endText); index++) {
    writeFileSync(statusFile, `${index}\n`);
    current = { index, outcome: 'ok', ms: 0, description: '' };
    const line = current;
    const began = performance.now();
    try {
      await runner.runCase(new FuzzRandom(caseSeed(seed, name, index)), (d) => {
        line.description = d;
        writeFileSync(statusFile, `${index}\n${d}\n`);
      });
    } catch (error) {
      if (isUserError(error)) line.outcome = error.kind as 'badInput' | 'badModel';
      else {
        line.outcome = 'fail';
        line.error = describe(error);
      }
    }
    line.ms = Math.round(performance.now() - began);
    process.stdout.write(`R ${JSON.stringify(line)}\n`);
  }
  await runner.dispose();
  process.stdout.write('E\n');
}

main().catch((error) => {
  process.stderr.write(`fuzz worker failed outside a case: ${describe(error)}\n`);
  process.exitCode = 3;
});
