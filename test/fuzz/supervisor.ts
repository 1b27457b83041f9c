/**
 * Runs fuzz targets in worker processes (runFuzz.ts) and watches them: a case that runs past the time bound is
 * a hang, a worker that dies mid-case is a crash; either is recorded against the case (read from the status
 * file) and the run goes on from the next case in a fresh worker. Every failure carries the command that
 * reproduces it alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CaseLine } from './fuzzTarget';

/** What to run. */
export interface FuzzOptions {
  seed: number;
  /** Cases per target, by target name, in the order to run them. */
  cases: Record<string, number>;
  /** A case running longer than this is a hang (the worker is killed). */
  caseTimeoutMs: number;
  /** Called with a short line now and then (progress). */
  log?: (line: string) => void;
  /** How many targets run at once, each in its own worker (default 1: one after another). */
  lanes?: number;
}

/** Counts for one target. */
export interface TargetSummary {
  cases: number;
  ok: number;
  badInput: number;
  badModel: number;
  failed: number;
  maxCaseMs: number;
  seconds: number;
}

/** A case that threw something other than a LensError for the user, hung, or crashed its worker. */
export interface FuzzFailure {
  target: string;
  index: number;
  kind: 'error' | 'hang' | 'crash';
  description: string;
  error: string;
  reproduce: string;
}

/** The whole run. */
export interface FuzzSummary {
  seed: number;
  targets: Record<string, TargetSummary>;
  failures: FuzzFailure[];
}

const worker = join(__dirname, 'runFuzz.ts');
/** Preparing a target writes tiny models and loads onnxruntime: allow it far longer than one case. */
const prepareTimeoutMs = 120_000;

/**
 * Runs each target for its number of cases, each in as many workers as crashes and hangs make necessary;
 * with `lanes` > 1, that many targets at a time (the next target starts when a lane is free). The summary
 * lists the targets, and the failures, in the order of `cases` whatever the lanes did.
 */
export async function superviseFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const summary: FuzzSummary = { seed: options.seed, targets: {}, failures: [] };
  const queue = Object.entries(options.cases);
  const failures = new Map<string, FuzzFailure[]>(queue.map(([target]) => [target, []]));
  for (const [target] of queue) summary.targets[target] = { cases: 0, ok: 0, badInput: 0, badModel: 0, failed: 0, maxCaseMs: 0, seconds: 0 };
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) await superviseTarget(next[0], next[1], options, summary.targets[next[0]], failures.get(next[0])!);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.lanes ?? 1) }, lane));
  summary.failures = [...failures.values()].flat();
  return summary;
}

/** One target's cases, in as many workers as crashes and hangs make necessary. */
async function superviseTarget(target: string, cases: number, options: FuzzOptions, counts: TargetSummary, failures: FuzzFailure[]): Promise<void> {
  const began = performance.now();
  let next = 0;
  while (next < cases) {
    const result = await runWorker(target, next, cases, options, (line) => {
      counts.cases++;
      counts.maxCaseMs = Math.max(counts.maxCaseMs, line.ms);
      if (line.outcome === 'fail') {
        counts.failed++;
        failures.push(failure(target, line.index, 'error', line.description, line.error ?? '', options.seed));
      } else counts[line.outcome]++;
    });
    if (result.lost === undefined) break;
    counts.cases++;
    counts.failed++;
    failures.push(failure(target, result.lost, result.kind, result.description ?? '', result.detail, options.seed));
    next = result.lost + 1;
  }
  counts.seconds = Math.round((performance.now() - began) / 100) / 10;
  options.log?.(`${target}: ${JSON.stringify(counts)}`);
}

function failure(target: string, index: number, kind: FuzzFailure['kind'], description: string, error: string, seed: number): FuzzFailure {
  const reproduce = `node --import tsx test/fuzz/runFuzz.ts ${target} ${seed} ${index} ${index + 1} /tmp/fuzz-status`;
  return { target, index, kind, description, error, reproduce };
}

interface WorkerEnd {
  /** The case the worker was on when it hung or died; undefined when it finished. */
  lost?: number;
  description?: string;
  kind: 'hang' | 'crash';
  detail: string;
}

/** One worker from case `start` to the end; resolves when it finishes, dies or is killed for a hang. */
function runWorker(target: string, start: number, end: number, options: FuzzOptions, onCase: (line: CaseLine) => void): Promise<WorkerEnd> {
  // A private temporary folder per worker: whatever the code under test leaves in tmp goes with it.
  const scratch = mkdtempSync(join(tmpdir(), 'mmlens-fuzz-'));
  const status = join(scratch, 'status');
  const args = ['--import', 'tsx', worker, target, String(options.seed), String(start), String(end), status];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: scratch } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let finished = false;
  let hung = false;
  let timer = setTimeout(() => kill(), prepareTimeoutMs);
  const kill = () => {
    hung = true;
    child.kill('SIGKILL');
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('R ')) onCase(JSON.parse(line.slice(2)) as CaseLine);
    if (line === 'E') finished = true;
    clearTimeout(timer);
    timer = setTimeout(kill, options.caseTimeoutMs);
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const current = readCase(status);
      rmSync(scratch, { recursive: true, force: true });
      if (finished && code === 0) resolve({ kind: 'crash', detail: '' });
      else if (current === undefined) resolve({ lost: start, kind: 'crash', detail: `worker failed before its first case (exit ${code ?? signal}): ${stderr.trim()}` });
      else if (hung) resolve({ lost: current.index, description: current.description, kind: 'hang', detail: `no result within ${options.caseTimeoutMs} ms` });
      else resolve({ lost: current.index, description: current.description, kind: 'crash', detail: `worker exited with ${code ?? signal}: ${stderr.trim().slice(-500)}` });
    });
  });
}

/** The case the worker was on and what was mutated, from its status file. */
function readCase(status: string): { index: number; description: string } | undefined {
  try {
    const [index, description = ''] = readFileSync(status, 'utf8').split('\n');
    return { index: Number(index), description };
  } catch {
    return undefined;
  }
}
