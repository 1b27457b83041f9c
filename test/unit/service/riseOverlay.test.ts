// The analysis panel's RISE overlay (tasks/occlusionOverlay.ts, method 'rise') on the bundled shapes-fusion, whose
// attention maps miss about three objects in ten: for each object's caption of a sample scene, RISE's strongest
// patch touches that object's box (media/samples/truth.json); the map is riseMap's own on the same scoring target
// with the masks `mmlens evaluate` uses (500, seed 0), so the model's measured RISE figure applies to it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { riseMap } from '../../../src/analysis/perturbation/rise';
import { occlusionOverlay, PANEL_RISE_MASKS } from '../../../src/inference/tasks/occlusionOverlay';
import { InferenceService } from '../../../src/inference/service';
import type { SceneTruth } from '../../../src/shapesWorld/types';

const root = join(__dirname, '..', '..', '..');
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: join(root, 'models/shapes-fusion') });
after(() => service.dispose());

const truth = JSON.parse(readFileSync(join(root, 'media/samples/truth.json'), 'utf8')) as (SceneTruth & { file: string })[];

test('scene-5.png: each caption\'s RISE map peaks on its object, and equals riseMap on the ITM target', async () => {
  const scene = truth.find((s) => s.file === 'scene-5.png')!;
  const image = join(root, 'media/samples', scene.file);
  const texts = scene.objects.map((o) => `a ${o.colour} ${o.shape}`);
  for (const [text, object] of scene.objects.entries()) {
    const reply = await occlusionOverlay(service, { image, texts, text, method: 'rise' });
    assert.deepEqual([reply.method, reply.rows, reply.cols, reply.forwardPasses, reply.score], ['rise', 8, 8, PANEL_RISE_MASKS, 'ITM match probability']);
    const target = await service.perturbation({ image, texts, text, score: 'itm' });
    const expected = await riseMap(target.image, target.fills.gray, target.score, { masks: PANEL_RISE_MASKS, seed: 0 });
    assert.deepEqual(Array.from(reply.values), Array.from(expected.map));
    const top = reply.values.indexOf(Math.max(...reply.values));
    const patch = scene.size / 8;
    const [row, col] = [Math.floor(top / 8), top % 8];
    const { x, y, size } = object.box;
    assert.ok(col * patch < x + size && (col + 1) * patch > x && row * patch < y + size && (row + 1) * patch > y, `"${texts[text]}": top patch (${row}, ${col}) misses ${JSON.stringify(object.box)}`);
  }
});

test('occlusion stays the default method', async () => {
  const scene = truth.find((s) => s.file === 'scene-5.png')!;
  const reply = await occlusionOverlay(service, { image: join(root, 'media/samples', scene.file), texts: ['a red circle'], text: 0 });
  assert.deepEqual([reply.method, reply.forwardPasses], ['occlusion', 65]);
});
