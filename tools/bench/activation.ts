/**
 * Extension activation: activate() of the built extension, each in a fresh process (activateChild.ts), with
 * the require of dist/extension.js that precedes it shown beside it, and a check that neither onnxruntime-node
 * nor sharp was loaded.
 */
import { runChild } from './child';
import type { ActivateChildResult } from './activateChild';
import { log } from './context';
import { goal, info, median, type Figure } from './figures';

const ROUNDS = 5;

/** Median activate() and require times over fresh processes. */
export async function activation(): Promise<Figure[]> {
  log('Activation: dist/extension.js in fresh processes');
  const runs: ActivateChildResult[] = [];
  for (let r = 0; r < ROUNDS; r++) runs.push(await runChild<ActivateChildResult>('activateChild.ts', []));
  const native = [...new Set(runs.flatMap((run) => run.loadedNative))];
  return [
    goal('activate()', median(runs.map((r) => r.activateMs)), 'ms', { op: '<=', limit: 50 }, `${runs[0].subscriptions} subscriptions registered; fresh process, stand-in vscode`),
    info('  require(dist/extension.js) before it', median(runs.map((r) => r.requireMs)), 'ms'),
    goal('  native modules loaded by activation', native.length, 'count', { op: '<=', limit: 0 }, native.length > 0 ? native.join(', ') : 'neither onnxruntime-node nor sharp'),
  ];
}
