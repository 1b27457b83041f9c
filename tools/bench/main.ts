/**
 * `npm run bench`: the performance table of docs/performance.md. Builds the bundles, generates the
 * benchmark models, runs every figure group (medians of repeated runs, ratios of figures from this run),
 * prints one Markdown table and, with `--json FILE`, writes it as JSON. Options: see args.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activation } from './activation';
import { GROUPS, parseBenchArgs, type GroupName } from './args';
import { BenchContext, log } from './context';
import { efficiency } from './efficiency';
import { endToEnd } from './endToEnd';
import { info, type Figure } from './figures';
import { hover } from './hover';
import { int8ViTB16 } from './int8';
import { largeModel } from './largeModel';
import { generation } from './generation';
import { firstTouchCost, machineInfo } from './machine';
import { memory } from './memory';
import { processBoundary } from './processBoundary';
import { sessionCreation } from './sessionCreation';
import { markdownReport, writeJsonReport, type BenchReport } from './table';
import { tapOverheadB16, tapOverheadB32 } from './tapOverhead';
import { throughput } from './throughput';
import { webview } from './webview';

/** The steps in the order they run: the ViT-B/32 groups share sessions, released before ViT-B/16. */
const STEPS: { group: GroupName; run: (ctx: BenchContext) => Promise<Figure[]>; release?: boolean }[] = [
  { group: 'taps', run: tapOverheadB32 },
  { group: 'endToEnd', run: endToEnd },
  { group: 'efficiency', run: efficiency },
  { group: 'throughput', run: throughput, release: true },
  { group: 'taps', run: tapOverheadB16 },
  { group: 'int8', run: int8ViTB16, release: true },
  { group: 'sessions', run: sessionCreation },
  { group: 'hover', run: hover },
  { group: 'boundary', run: processBoundary },
  { group: 'memory', run: memory },
  { group: 'webview', run: webview },
  { group: 'activation', run: () => activation() },
  { group: 'generation', run: generation, release: true },
  { group: 'large', run: largeModel },
];

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const started = performance.now();
  const build = spawnSync(process.execPath, ['tools/build.mjs', '--quiet'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('The build failed; the webview and activation figures need dist/.');
  const scratch = mkdtempSync(join(tmpdir(), 'mmlens-bench-'));
  const ctx = new BenchContext(args.ep, scratch, args.modelsDir ?? join(scratch, 'models'));
  const machine = await machineInfo();
  const byGroup = new Map<GroupName, Figure[]>();
  try {
    const calibration = firstTouchCost();
    for (const step of STEPS.filter((s) => args.groups.includes(s.group))) {
      const figures = byGroup.get(step.group) ?? [];
      byGroup.set(step.group, figures);
      try {
        figures.push(...(await step.run(ctx)));
      } catch (error) {
        log(`${step.group} failed: ${(error as Error).stack ?? error}`);
        figures.push(info(`${step.group} (failed)`, Number.NaN, '', (error as Error).message.slice(0, 200)));
      }
      if (step.release) await ctx.release();
    }
    const report: BenchReport = {
      machine,
      ep: args.ep,
      providers: [...ctx.providersSeen],
      notices: ctx.notices,
      seconds: (performance.now() - started) / 1000,
      figures: [...GROUPS.flatMap((g) => byGroup.get(g) ?? []), ...calibration],
    };
    process.stdout.write(markdownReport(report));
    if (args.json) writeJsonReport(args.json, report);
  } finally {
    await ctx.release();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
