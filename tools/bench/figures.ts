/**
 * What the benchmark reports: named figures, each the median of repeated runs, some with a goal from the
 * performance issue. Comparisons are ratios of two medians measured in the same run of the benchmark.
 */

/** A goal: the figure must be at most (`<=`) or at least (`>=`) `limit`. */
export interface Goal {
  op: '<=' | '>=';
  limit: number;
}

/** One row of the table (and of `--json`'s `figures`). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal as text ("<= 1.1"), or null for figures shown to explain others. */
  goal: string | null;
  /** Whether the goal is met; null without a goal or when the figure could not be measured. */
  met: boolean | null;
  /** What was measured, or why a goal is missed. */
  note?: string;
}

/** A figure with no goal: shown because it explains a ratio or a missed goal. */
export function info(name: string, value: number, unit: string, note?: string): Figure {
  return { name, value, unit, goal: null, met: null, ...(note ? { note } : {}) };
}

/** A figure checked against `goal`. */
export function goal(name: string, value: number, unit: string, target: Goal, note?: string): Figure {
  const met = Number.isFinite(value) ? (target.op === '<=' ? value <= target.limit : value >= target.limit) : null;
  return { name, value, unit, goal: `${target.op} ${target.limit}`, met, ...(note ? { note } : {}) };
}

/** The median (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds that `work` takes. */
export async function timed(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * Median milliseconds of each of `works`, run in turn `rounds` times after `warmUps` untimed rounds (the
 * first runs of a session allocate its buffers). Interleaving puts the two sides of a ratio under the same
 * load, which matters on a shared machine.
 */
export async function interleavedMedians(rounds: number, works: (() => unknown)[], warmUps = 1): Promise<number[]> {
  for (let w = 0; w < warmUps; w++) for (const work of works) await work();
  const times: number[][] = works.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, work] of works.entries()) times[i].push(await timed(work));
  }
  return times.map(median);
}

/** The median of each stage over analyses' own `timings` (their Stopwatch), as indented figures. */
export function stageFigures(label: string, runs: Record<string, number>[]): Figure[] {
  const stages = [...new Set(runs.flatMap((run) => Object.keys(run)))];
  return stages.map((stage) => info(`  ${label} stage "${stage}"`, median(runs.map((run) => run[stage] ?? 0)), 'ms'));
}
