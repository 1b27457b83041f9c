// Shared set-up of the quality tests: a random seed (printed; MMLENS_QUALITY_SEED replays one), a scratch
// folder for the fresh scenes, and a cpu inference service over the bundled models.
import { after, before } from 'node:test';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledModelDir } from '../../src/inference/model/bundledModels';
import { InferenceService } from '../../src/inference/service';

/** Scenes per figure: the contract asks for at least 200 for the thresholds to mean something. */
export const SCENES = 200;

/** The seed, folder and service of one quality test file; valid inside its tests. */
export interface QualityRun {
  seed: number;
  dir: string;
  service: InferenceService;
  modelDir(name: string): string;
}

/** Registers before/after hooks that set up and tear down a QualityRun. */
export function useQualityRun(): QualityRun {
  const root = join(__dirname, '..', '..');
  const run = { seed: Number(process.env.MMLENS_QUALITY_SEED ?? randomInt(2 ** 31)), modelDir: (name: string) => bundledModelDir(root, name) } as QualityRun;
  before(() => {
    run.dir = mkdtempSync(join(tmpdir(), 'mmlens-quality-'));
    run.service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: bundledModelDir(root) });
    console.log(`shapes-world quality seed ${run.seed} (replay with MMLENS_QUALITY_SEED=${run.seed})`);
  });
  after(async () => {
    await run.service.dispose();
    rmSync(run.dir, { recursive: true, force: true });
  });
  return run;
}
