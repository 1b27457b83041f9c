// shapes-clip against the shapes-world contract, on fresh scenes from the TypeScript generator (never used in
// training), through the CLI's own inference path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateClip } from '../../tools/quality/evaluateClip';
import { SCENES, useQualityRun } from './qualityRun';

const run = useQualityRun();

test(`shapes-clip: top-1 >= 95%, ranking >= 90%, pointing game >= 80% on ${SCENES}+${SCENES} fresh scenes`, async (t) => {
  const quality = await evaluateClip(run.service, run.modelDir('shapes-clip'), { dir: run.dir, seed: run.seed, scenes: SCENES });
  t.diagnostic(`seed ${run.seed}: ${JSON.stringify(quality)}`);
  assert.ok(quality.counts.oneObjectScenes >= 200 && quality.counts.pointedObjects >= 200 && quality.counts.rankingPairs >= 200);
  assert.ok(quality.oneObjectTop1 >= 0.95, `one-object top-1 ${quality.oneObjectTop1}`);
  assert.ok(quality.multiObjectRanking >= 0.9, `present-vs-absent ranking ${quality.multiObjectRanking}`);
  assert.ok(quality.pointingGame >= 0.8, `pointing game ${quality.pointingGame}`);
});
