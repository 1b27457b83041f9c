// The analysis panel's occlusion overlay on the bundled shapes-clip, against the sample scenes' ground truth
// (media/samples/truth.json): for each object's caption, the patch whose occlusion costs the most touches that
// object's box; the map covers the model's patch grid, at one forward pass per patch plus the baseline.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledModelDir } from '../../../src/inference/model/bundledModels';
import { occlusionOverlay } from '../../../src/inference/tasks/occlusionOverlay';
import { InferenceService } from '../../../src/inference/service';
import type { SceneTruth } from '../../../src/shapesWorld/types';

const root = join(__dirname, '..', '..', '..');
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: bundledModelDir(root) });
after(() => service.dispose());

const truth = JSON.parse(readFileSync(join(root, 'media/samples/truth.json'), 'utf8')) as (SceneTruth & { file: string })[];

for (const file of ['scene-5.png', 'scene-6.png']) {
  test(`${file}: each object's caption is explained by a patch on that object`, async () => {
    const scene = truth.find((s) => s.file === file)!;
    const texts = scene.objects.map((o) => `a ${o.colour} ${o.shape}`);
    for (const [text, object] of scene.objects.entries()) {
      const reply = await occlusionOverlay(service, { image: join(root, 'media/samples', file), texts, text });
      assert.deepEqual([reply.rows, reply.cols, reply.forwardPasses], [8, 8, 65]);
      assert.equal(reply.score, 'cosine similarity');
      const top = reply.values.indexOf(Math.max(...reply.values));
      // The square scene fills the 64 x 64 input exactly, so patch (r, c) covers side/8 pixels from (c, r) * side/8.
      const patch = scene.size / 8;
      const [row, col] = [Math.floor(top / 8), top % 8];
      const { x, y, size } = object.box;
      const touches = col * patch < x + size && (col + 1) * patch > x && row * patch < y + size && (row + 1) * patch > y;
      assert.ok(touches, `"${texts[text]}": top patch (${row}, ${col}) misses the box ${JSON.stringify(object.box)}`);
    }
  });
}
