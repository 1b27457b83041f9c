/**
 * A model folder's evaluation.json (the `mmlens evaluate` JSON) becomes the model's map faithfulness figures: the
 * bundled models' files give the pointing game docs/methods.md lists, an analysis carries them, a copy without the
 * file is "not measured", a broken file is a notice and not a failed load; and the reading beside a map, worked out
 * by hand from the figures.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { InferenceService } from '../../../src/inference/service';
import { faithfulnessReading, NOT_MEASURED, overlayMethod, type MapFaithfulness } from '../../../src/shared/mapFaithfulness';

const root = join(__dirname, '..', '..', '..');
const models = join(root, 'models');
const work = mkdtempSync(join(tmpdir(), 'mmlens-evaluation-file-'));
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: join(models, 'shapes-fusion') });
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('the bundled models ship the pointing game of docs/methods.md\'s runs (seed 2026)', async () => {
  const fusion = (await loadModelFolder(join(models, 'shapes-fusion'))).mapFaithfulness;
  assert.deepEqual(fusion, { file: 'evaluation.json', scenes: 50, seed: 2026, measured: { count: 125, of: 'objects' }, pointingGame: { rollout: 0.336, flow: null, alignment: 0.712, maskclip: null, values: null, occlusion: 0.608, rise: 0.952 } });
  const clip = (await loadModelFolder(join(models, 'shapes-clip'))).mapFaithfulness;
  assert.deepEqual(clip?.pointingGame, { rollout: 0.4, flow: 0.024, alignment: 0.996, maskclip: 0.988, values: 0.876, clearclip: 0.82, occlusion: 0.908, rise: 0.964 });
  assert.deepEqual([clip?.scenes, clip?.measured.count], [100, 250]);
});

test('an analysis carries the figures; a copy of the model without the file carries none', async () => {
  const image = join(root, 'media/samples/scene-1.png');
  const result = await service.analyze({ images: [image], texts: ['a red circle'] });
  assert.equal(result.model.mapFaithfulness?.pointingGame.rise, 0.952);
  const copy = join(work, 'unmeasured');
  cpSync(join(models, 'shapes-fusion'), copy, { recursive: true });
  rmSync(join(copy, 'evaluation.json'));
  const unmeasured = await service.analyze({ modelDir: copy, images: [image], texts: ['a red circle'] });
  assert.equal(unmeasured.model.mapFaithfulness, undefined);
  assert.equal(faithfulnessReading(unmeasured.model.mapFaithfulness, 'alignment', ['alignment']).text, NOT_MEASURED);
});

test('a broken evaluation.json is a notice, and the model still loads', async () => {
  const dir = join(work, 'broken');
  cpSync(join(models, 'shapes-clip'), dir, { recursive: true });
  for (const [content, why] of [['{"scenes": 3', /evaluation\.json: is not valid JSON/], ['{"scenes": 3, "seed": 1, "objects": 7, "methods": [{"name": "rise", "pointingGame": 1.5}]}', /method 0 needs a "name" and a "pointingGame" between 0 and 1/], ['[]', /must hold a JSON object/]] as const) {
    writeFileSync(join(dir, 'evaluation.json'), content);
    const folder = await loadModelFolder(dir);
    assert.equal(folder.mapFaithfulness, undefined);
    assert.ok(folder.notes.some((n) => why.test(n) && n.startsWith('The map faithfulness figures are not shown')), folder.notes.join('\n'));
  }
});

test('the overlay keys map to evaluate\'s methods, alignment by the analysis\'s alignment method', () => {
  assert.deepEqual(['rollout', 'flow', 'alignment-0', 'occlusion-2', 'rise-1', 'pooling', 'none'].map((k) => overlayMethod(k, undefined)), ['rollout', 'flow', 'alignment', 'occlusion', 'rise', undefined, undefined]);
  assert.deepEqual(['patchTokens', 'maskclip', 'values', 'clearclip', 'crossAttention'].map((a) => overlayMethod('alignment-1', a as never)), ['alignment', 'maskclip', 'values', 'clearclip', 'alignment']);
});

test('the reading: the shown map\'s figure, a caution naming a method at least 10 points better, none within 10', () => {
  const figures: MapFaithfulness = { file: 'evaluation.json', scenes: 50, seed: 2026, measured: { count: 125, of: 'objects' }, pointingGame: { rollout: 0.336, flow: null, alignment: 0.712, occlusion: 0.608, rise: 0.952 } };
  const source = 'mmlens evaluate on 50 shapes-world scenes, 125 objects, seed 2026';
  const offered = ['rollout', 'alignment', 'occlusion', 'rise'];
  const all = 'rollout 33.6%, alignment 71.2%, occlusion 60.8%, RISE 95.2%';
  // RISE 95.2 - alignment 71.2 = 24 points: a caution that names RISE, computed on request.
  assert.deepEqual(faithfulnessReading(figures, 'alignment', offered), { caution: true, text: `On this model the alignment map's maximum lies on the named object in 71.2% of tests (pointing game, ${source}). It can miss the object: RISE found it in 95.2%; compute RISE to check. Measured here: ${all}.` });
  assert.deepEqual(faithfulnessReading(figures, 'rise', offered), { caution: false, text: `On this model the RISE map's maximum lies on the named object in 95.2% of tests (pointing game, ${source}). Measured here: ${all}.` });
  // Without RISE and occlusion offered (a standalone report), rollout's better method is alignment, shown not computed.
  assert.match(faithfulnessReading(figures, 'rollout', ['rollout', 'alignment']).text, /It can miss the object: alignment found it in 71\.2%; show it to compare\. Measured here: rollout 33\.6%, alignment 71\.2%\.$/);
  // 0.9 against 0.952: 5.2 points, no caution.
  assert.equal(faithfulnessReading({ ...figures, pointingGame: { ...figures.pointingGame, alignment: 0.9 } }, 'alignment', offered).caution, false);
  assert.equal(faithfulnessReading(figures, undefined, offered).text, `How often each map's maximum lies on the named object (pointing game, ${source}): ${all}.`);
});
