// The layer lens of two-tower analyses (--lens): every vision layer's tokens through the model's own final norm and
// projection, checked against the same lens computed in torch on the demo CLIP's shipped weights
// (tools/fixtures/clipLens.py: the training code's modules run layer by layer), its last layer against the model's
// own scores and maps, and the notices when a graph or a family cannot give it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InferenceService } from '../../../src/inference/service';
import { assertClose } from '../analysis/helpers';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';

const FIXTURE = 'test/fixtures/clip-lens';
const reference = JSON.parse(readFileSync(`${FIXTURE}/reference.json`, 'utf8')) as {
  texts: string[];
  layers: { similarity: number[]; probabilities: number[]; alignment: number[][] }[];
};
let service: InferenceService;
let fused: TinyClip;

before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-clip' });
  fused = writeTinyClip({ fusedAttention: true });
});
after(async () => {
  await service.dispose();
  fused.remove();
});

test("every layer's scores and alignment maps equal the lens computed in torch on the same weights", async () => {
  const result = await service.analyze({ images: [`${FIXTURE}/scene-64.png`], texts: reference.texts, lens: true });
  const layers = result.lens!.layers;
  assert.equal(layers.length, reference.layers.length);
  layers.forEach((layer, l) => {
    const expected = reference.layers[l];
    assertClose(layer.similarity[0], expected.similarity, 1e-5);
    assertClose(layer.probabilities[0], expected.probabilities, 1e-5);
    reference.texts.forEach((_, j) => assertClose(layer.alignment[0][j].flat(), expected.alignment[j], 1e-5));
  });
  // The concept is not there from the start: the early layers rank the texts differently from the last.
  const leader = (row: number[]) => row.indexOf(Math.max(...row));
  assert.notEqual(leader(layers[0].similarity[0]), leader(layers.at(-1)!.similarity[0]));
});

test("the last layer's lens is the model's own similarity, probabilities and patch-token maps", async () => {
  const result = await service.analyze({ images: ['media/samples/scene-1.png', 'media/samples/scene-2.png'], texts: ['a red circle', 'a orange square'], lens: true });
  const last = result.lens!.layers.at(-1)!;
  for (let i = 0; i < 2; i++) {
    assertClose(last.similarity[i], result.similarity[i], 1e-6);
    assertClose(last.probabilities[i], result.probabilities[i], 1e-6);
    for (let j = 0; j < 2; j++) assertClose(last.alignment[i][j].flat(), result.maps.alignment[i][j].flat(), 1e-6);
  }
});

test('without --lens there is none; a graph with fused attention, or another family, says why there is none', async () => {
  assert.equal((await service.analyze({ images: ['media/samples/scene-1.png'], texts: ['a red circle'] })).lens, undefined);
  const hidden = await service.analyze({ modelDir: fused.dir, images: ['media/samples/scene-1.png'], texts: ['a red circle'], lens: true });
  assert.equal(hidden.lens, undefined);
  assert.ok(hidden.model.notices.some((n) => /^The layer lens is unavailable: .*attention/.test(n)), hidden.model.notices.join(' | '));
  const joint = await service.analyze({ modelDir: 'models/shapes-fusion', images: ['media/samples/scene-1.png'], texts: ['a red circle'], lens: true });
  assert.equal(joint.lens, undefined);
  assert.ok(joint.model.notices.some((n) => /layer lens is for two-tower models/.test(n)), joint.model.notices.join(' | '));
});
