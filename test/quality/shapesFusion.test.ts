// shapes-fusion against the shapes-world contract: matched captions against hard negatives, half and half; and
// EMAP on shapes-world pairs, which must show that the model's decisions use image-text interaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFusion } from '../../tools/quality/evaluateFusion';
import { writeHardNegativeManifest } from '../../tools/quality/hardNegativeManifest';
import { SCENES, useQualityRun } from './qualityRun';

const run = useQualityRun();

test(`shapes-fusion: matched vs hard-negative accuracy >= 90% on ${SCENES} fresh scenes (${2 * SCENES} pairs)`, async (t) => {
  const quality = await evaluateFusion(run.service, run.modelDir('shapes-fusion'), { dir: run.dir, seed: run.seed, scenes: SCENES });
  t.diagnostic(`seed ${run.seed}: ${JSON.stringify(quality)}`);
  assert.equal(quality.pairs, 2 * SCENES);
  assert.ok(quality.accuracy >= 0.9, `accuracy ${quality.accuracy}`);
});

test('shapes-fusion EMAP: the additive projection of its scores loses accuracy on matched vs hard-negative pairs', async (t) => {
  // Each scene with one matched caption (label 1) and its hard negative (label 0): the two captions differ only in
  // binding, position or word order, which a sum of an image term and a caption term cannot express.
  const manifest = await writeHardNegativeManifest(run.dir, run.seed + 1, 40);
  const result = await run.service.probe({ modelDir: run.modelDir('shapes-fusion'), manifest: { path: manifest } });
  t.diagnostic(`seed ${run.seed + 1}: emap ${JSON.stringify(result.emap)}`);
  assert.equal(result.emap.metric, 'accuracy');
  assert.ok(result.emap.full >= 0.85, `full-model accuracy ${result.emap.full}`);
  assert.ok(result.emap.full - result.emap.additive >= 0.2, `additive ${result.emap.additive} vs full ${result.emap.full}`);
});
