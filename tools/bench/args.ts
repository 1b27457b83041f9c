/**
 * The benchmark's command line:
 *   npm run bench -- [--ep cpu|webgpu|cuda] [--json FILE] [--models DIR] [--only GROUP,...]
 * `--models DIR` keeps the generated models there and reuses them on the next run (default: a temporary
 * folder removed at the end). `--only` runs some figure groups (names as in GROUPS).
 */
import { parseArgs } from 'node:util';
import { parseExecutionProvider, type ExecutionProviderSetting } from '../../src/inference/runtime/executionProvider';

/** The figure groups, in the order of the issue (and of the table). */
export const GROUPS = ['taps', 'int8', 'endToEnd', 'efficiency', 'sessions', 'hover', 'boundary', 'webview', 'memory', 'throughput', 'activation', 'generation', 'large'] as const;

/** One figure group's name. */
export type GroupName = (typeof GROUPS)[number];

/** Parsed options. */
export interface BenchArgs {
  ep: ExecutionProviderSetting;
  json?: string;
  modelsDir?: string;
  groups: GroupName[];
}

/** Parses `argv` (without node and the script), throwing a usage message on anything unknown. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: { ep: { type: 'string' }, json: { type: 'string' }, models: { type: 'string' }, only: { type: 'string' } },
  });
  const groups = values.only ? values.only.split(',').map((g) => g.trim()) : [...GROUPS];
  const unknown = groups.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0) throw new Error(`Unknown group(s) ${unknown.join(', ')}; groups: ${GROUPS.join(', ')}.`);
  const ep = parseExecutionProvider(values.ep ?? 'cpu');
  if (ep === 'auto') throw new Error('Name one provider with --ep (cpu, webgpu or cuda), so the table says what it measured.');
  return { ep, json: values.json, modelsDir: values.models, groups: groups as GroupName[] };
}
