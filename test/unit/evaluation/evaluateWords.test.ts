// mmlens evaluate's per-word faithfulness on the bundled shapes-vlm, against a second count made here: the same
// scenes (writeScenes is seeded) described by generate(), each colour or shape word matched to the scene's objects,
// and the map's top image token checked against the named object's box by plain arithmetic on the regions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DESCRIBE, evaluateWords, namedObjects } from '../../../src/evaluation/evaluateWords';
import { writeScenes } from '../../../src/evaluation/sceneFiles';
import { InferenceService } from '../../../src/inference/service';
import type { SceneTruth } from '../../../src/shapesWorld/types';

const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-vlm' });
const work = mkdtempSync(join(tmpdir(), 'mmlens-words-'));
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('colour and shape words name the scene objects of that colour or shape; other words name nothing', () => {
  const truth = { objects: [{ colour: 'red', shape: 'circle' }, { colour: 'red', shape: 'square' }] } as unknown as SceneTruth;
  assert.equal(namedObjects(' Red', truth)?.length, 2);
  assert.equal(namedObjects('square ', truth)?.length, 1);
  assert.deepEqual(namedObjects('blue', truth), []);
  assert.equal(namedObjects('and', truth), undefined);
});

test('the pointing game per word equals a count made from generate() on the same scenes', async () => {
  const [seed, scenes] = [17, 4];
  const result = await evaluateWords(service, { scenes, seed, methods: ['attention', 'last-layer'], riseMasks: 10 });
  let [scored, hits] = [0, 0];
  for (const scene of await writeScenes(work, seed, scenes, [1, 2, 3], 0)) {
    const answer = await service.generate({ images: [scene.path], prompt: DESCRIBE });
    const regions = answer.images[0].regions;
    for (const token of answer.generated) {
      const named = namedObjects(token.text, scene.truth);
      if (!named || named.length !== 1) continue;
      scored++;
      const { x, y, size } = named[0].box;
      const map = token.map[0];
      const top = map.indexOf(Math.max(...map));
      const [x0, y0, x1, y1] = regions[top];
      if (x0 <= x + size && x <= x1 && y0 <= y + size && y <= y1) hits++;
    }
  }
  assert.ok(scored > 0);
  assert.equal(result.words.scored, scored);
  const attention = result.methods.find((m) => m.name === 'attention')!;
  assert.equal(attention.words, scored);
  assert.ok(Math.abs((attention.pointingGame ?? -1) - hits / scored) < 1e-12, `${attention.pointingGame} vs ${hits}/${scored}`);
  const last = result.methods.find((m) => m.name === 'last-layer')!;
  assert.ok(last.energyInBox !== null && last.energyInBox >= 0 && last.energyInBox <= 1);
});
