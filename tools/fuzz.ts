/**
 * The long fuzz pass, one command (docs/reliability.md):
 *   node --import tsx tools/fuzz.ts --cases 10000 [--seed N] [--targets model,config:3000,image,text,longtext,deepjson,deepgraph,longchain] [--timeout-ms 10000]
 * Runs every target for --cases mutated inputs (or the count after its name) in watched worker processes, prints the counts per target and
 * each failure with the command that reproduces it, and exits 1 when anything other than a LensError came out.
 */
import { superviseFuzz } from '../test/fuzz/supervisor';
import { fuzzTargets } from '../test/fuzz/targets';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const seed = Number(option('seed', String(Date.now() % 2 ** 31)));
  const cases = Number(option('cases', '1000'));
  const targets = option('targets', Object.keys(fuzzTargets).join(',')).split(',').map((t) => t.split(':'));
  const caseTimeoutMs = Number(option('timeout-ms', '10000'));
  const counts = Object.fromEntries(targets.map(([name, count]) => [name, Number(count ?? cases)]));
  console.log(`fuzz: seed ${seed}, cases ${JSON.stringify(counts)}, hang bound ${caseTimeoutMs} ms`);
  const began = performance.now();
  const summary = await superviseFuzz({ seed, cases: counts, caseTimeoutMs, log: (line) => console.log(line) });
  for (const f of summary.failures) console.log(`FAIL ${f.target} #${f.index} (${f.kind}): ${f.description}\n  ${f.error}\n  reproduce: ${f.reproduce}`);
  console.log(`fuzz: ${summary.failures.length} failure(s) in ${((performance.now() - began) / 1000).toFixed(1)} s, seed ${seed}`);
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}

void main();
