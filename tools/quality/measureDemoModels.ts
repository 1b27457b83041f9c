/**
 * Prints the shapes-world contract figures of the bundled demo models, measured through the CLI's own path
 * on fresh scenes: `npx tsx tools/quality/measureDemoModels.ts [--seed N] [--scenes N]`. The model cards
 * and the quality test use the same evaluation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundledModelDir } from '../../src/inference/model/bundledModels';
import { InferenceService } from '../../src/inference/service';
import { evaluateClip } from './evaluateClip';
import { evaluateFusion } from './evaluateFusion';

const { values } = parseArgs({ options: { seed: { type: 'string' }, scenes: { type: 'string' } } });
const seed = Number(values.seed ?? 20261127);
const scenes = Number(values.scenes ?? 400);
const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mmlens-measure-'));
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: bundledModelDir(root) });

async function main(): Promise<void> {
  console.log(`seed ${seed}, ${scenes} scenes per figure`);
  const start = performance.now();
  console.log('shapes-clip', JSON.stringify(await evaluateClip(service, bundledModelDir(root, 'shapes-clip'), { dir, seed, scenes })));
  console.log('shapes-fusion', JSON.stringify(await evaluateFusion(service, bundledModelDir(root, 'shapes-fusion'), { dir, seed, scenes })));
  console.log(`${((performance.now() - start) / 1000).toFixed(1)} s`);
}

main().finally(async () => {
  await service.dispose();
  rmSync(dir, { recursive: true, force: true });
});
