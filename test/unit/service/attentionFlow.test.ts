// Attention flow through the service (`flow: true`, maps.flow): on the demo CLIP against networkx's Edmonds-Karp
// on the authors' whole graph (tools/fixtures/attentionFlow.py wrote test/fixtures/attention-flow/), on the HF
// SigLIP fixture (no CLS token) against the 2-layer closed form applied to HF's own attention, the notice of a
// family that does not compute it, and the refusal above the size limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import { attentionFlowSize } from '../../../src/analysis/attention/attentionFlow';
import { FLOW_WORK_LIMIT, flowPatchGrids } from '../../../src/inference/tasks/attentionFlowMaps';
import { hfFixture, type HfReference } from '../../support/hfFixture';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';
import { SAMPLE_SCENE } from '../../support/mmlens';

const root = join(__dirname, '../../..');
let service: InferenceService;
let fusion: TinyFusion;

before(() => {
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: join(root, 'models/shapes-clip') });
  fusion = writeTinyFusion();
});
after(async () => {
  await service.dispose();
  fusion.remove();
});

function assertNear(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) <= tolerance, `${what}[${k}]: ${v} vs ${expected[k]}`));
}

test('shapes-clip: the flow from CLS to each patch equals networkx\'s max-flows on the authors\' full graph', async () => {
  const reference = JSON.parse(readFileSync(join(root, 'test/fixtures/attention-flow/shapes-clip-scene-1.json'), 'utf8')) as { flowFromCls: number[]; tokens: number; layers: number };
  const result = await service.analyze({ images: [SAMPLE_SCENE], texts: ['circle'], flow: true });
  // Token 0 is CLS; the 64 patches follow, row-major on the 8 x 8 grid.
  assertNear(result.maps.flow![0].flat(), reference.flowFromCls.slice(1), 1e-6, 'flow');
  const [cost] = result.flow!.perImage;
  assert.equal(result.flow!.from, 'cls');
  assert.deepEqual([cost.nodes, cost.maxFlows], [2 + (reference.layers - 1) * reference.tokens, reference.tokens]);
  assert.ok(cost.edges <= 2 * reference.tokens + (reference.layers - 2) * reference.tokens ** 2);
  assert.equal(typeof result.timings.flow, 'number');
  // Without the flag nothing is computed.
  const plain = await service.analyze({ images: [SAMPLE_SCENE], texts: ['circle'] });
  assert.deepEqual([plain.maps.flow, plain.flow, plain.timings.flow], [undefined, undefined, undefined]);
});

test('SigLIP has no CLS token: the map is the mean of every token\'s flow, here the 2-layer sum of minima of HF\'s attention', async () => {
  const { dir, reference, images } = hfFixture<HfReference>('hf-siglip');
  const [heads, t] = [4, 16];
  const result = await service.analyze({ modelDir: dir, images, texts: ['a blue square'], flow: true });
  assert.equal(result.flow!.from, 'meanOfTokens');
  images.forEach((_, i) => {
    // Each layer's transition 0.5·mean(heads) + 0.5·I from HF's [layer][image, head, q, k].
    const a = reference.visionAttention.map((layer) => Array.from({ length: t }, (_, q) => Array.from({ length: t }, (_, k) => {
      let mean = 0;
      for (let h = 0; h < heads; h++) mean += layer[((i * heads + h) * t + q) * t + k] / heads;
      return 0.5 * mean + (q === k ? 0.5 : 0);
    })));
    const expected = new Array<number>(t).fill(0);
    for (let q = 0; q < t; q++) {
      // Into input v from output q: every middle token k passes min(Â1[q][k], Â0[k][v]).
      const into = Array.from({ length: t }, (_, v) => a[1][q].reduce((sum, w, k) => sum + Math.min(w, a[0][k][v]), 0));
      const total = into.reduce((s, v) => s + v, 0);
      into.forEach((v, k) => (expected[k] += v / total / t));
    }
    assertNear(result.maps.flow![i].flat(), expected, 1e-5, `flow[${i}]`);
    assert.equal(result.flow!.perImage[i].maxFlows, t * t);
  });
});

test('a family that does not compute flow says so instead of leaving it out silently', async () => {
  const result = await service.analyze({ modelDir: fusion.dir, images: [SAMPLE_SCENE], texts: ['a red circle'], flow: true });
  assert.equal(result.maps.flow, undefined);
  assert.ok(result.model.notices.some((n) => /Attention flow is not computed for singleStream models yet/.test(n)), result.model.notices.join('\n'));
});

test('ViT-L/14 at 336 px (577 tokens x 24 layers) is refused before any max-flow, naming the size and the start layer that fits', () => {
  // Only the shapes are read before the refusal, so the layers need no data.
  const layers = Array.from({ length: 24 }, () => ({ heads: 16, queries: 577, keys: 577, data: new Float32Array(0) }));
  const grid = { rows: 24, cols: 24, firstPatch: 1, clsIndex: 0 };
  assert.throws(() => flowPatchGrids(layers, [0], grid, {}), (e: unknown) => {
    assert.ok(e instanceof LensError && e.kind === 'badInput');
    assert.match(e.message, /577 tokens x 24 layers from the CLS token is 577 max-flows per image on a graph of 13273 nodes and 7325592 edges, 4\.2e9 edge-solves: above the limit of 1\.5e9/);
    assert.match(e.fix ?? '', /--rollout-start 15/);
    return true;
  });
  // From layer 15 on the last 9 layers fit the limit; from 14 on they do not.
  const work = (start: number) => {
    const size = attentionFlowSize(24, 577, 1, start);
    return size.maxFlows * size.edges;
  };
  assert.ok(work(15) <= FLOW_WORK_LIMIT && work(14) > FLOW_WORK_LIMIT);
});
