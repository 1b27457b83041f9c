/**
 * Session creation, cold against warm through an on-disk optimized-model cache (sessionChild.ts), for the
 * tapped ViT-B/32 vision tower; each creation in a fresh process, cold and warm alternating.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from './child';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, median, type Figure } from './figures';
import type { SessionChildResult } from './sessionChild';

const ROUNDS = 3;

/** Cold and warm creation medians and what they are made of. */
export async function sessionCreation(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/32');
  const cacheDir = join(ctx.scratch, 'ort-cache');
  mkdirSync(cacheDir, { recursive: true });
  let provider: string = ctx.ep;
  const create = (mode: 'cold' | 'warm') => runChild<SessionChildResult>('sessionChild.ts', [mode, model.vision, cacheDir, provider, String(model.shape.imageSize)]);
  const runs: Record<'cold' | 'warm', SessionChildResult[]> = { cold: [], warm: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ['cold', 'warm'] as const) {
      log(`Session creation: ${mode} ${r + 1}/${ROUNDS} (fresh process)`);
      try {
        runs[mode].push(await create(mode));
      } catch (error) {
        if (provider === 'cpu' || mode === 'warm') throw error;
        ctx.note(`Session creation could not start ${provider} (${(error as Error).message.slice(0, 200)}); measured on cpu.`);
        provider = 'cpu';
        runs[mode].push(await create(mode));
      }
    }
  }
  for (const run of [...runs.cold, ...runs.warm]) ctx.providersSeen.add(run.provider);
  const med = (mode: 'cold' | 'warm', field: keyof Omit<SessionChildResult, 'provider' | 'source'>) => median(runs[mode].map((run) => run[field]));
  const mib = (faults: number) => (faults * 4096) / 2 ** 20;
  const figures: Figure[] = [
    goal('Session creation, ViT-B/32 tapped vision (warm / cold)', med('warm', 'createMs') / med('cold', 'createMs'), 'ratio', { op: '<=', limit: 0.3 },
      `each in a fresh process on ${provider}, through the product's SessionCache: warm = the optimized model, its weights and their integrity check from the on-disk cache`),
  ];
  for (const mode of ['cold', 'warm'] as const) {
    figures.push(
      info(`  ${mode}: create (hash included)`, med(mode, 'createMs'), 'ms'),
      info(`  ${mode}: onnxruntime model loading`, med(mode, 'loadingMs'), 'ms'),
      info(`  ${mode}: onnxruntime session initialization`, med(mode, 'initializingMs'), 'ms'),
      info(`  ${mode}: memory touched for the first time`, mib(med(mode, 'faults')), 'MiB', 'minor page faults x 4 KiB'),
      info(`  ${mode}: peak RSS after one run`, med(mode, 'peakMiB'), 'MiB', mode === 'cold' ? 'the model bytes read and tapped in JavaScript, then handed to onnxruntime' : 'weights mapped from the cache entry'),
    );
  }
  const sources = (mode: 'cold' | 'warm') => [...new Set(runs[mode].map((run) => run.source))].join(', ');
  figures.push(info('  reading the model for its structure (TappedGraph.load, not timed above)', med('cold', 'structureMs'), 'ms', `the same in both; sessions came from: cold ${sources('cold')}, warm ${sources('warm')}`));
  return figures;
}
