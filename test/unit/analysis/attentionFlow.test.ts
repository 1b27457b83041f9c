import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionFlowRow, attentionFlowSize } from '../../../src/analysis/attention/attentionFlow';
import { attentionRolloutRow } from '../../../src/analysis/attention/rollout';
import { LensError } from '../../../src/core/errors';
import { assertClose, randomAttention, seededRandom } from './helpers';

// The rollout tests' hand example: two layers, two heads, two tokens, whose transitions (mean, residual) are
// Â0 = [[.875,.125],[.125,.875]] and Â1 = [[.875,.125],[.375,.625]].
const handLayers = [new Float32Array([1, 0, 0.5, 0.5, 0.5, 0.5, 0, 1]), new Float32Array([0.5, 0.5, 0.5, 0.5, 1, 0, 1, 0])];

test('attention flow of the 2-layer example worked by hand differs from the rollout', () => {
  // From token 0 after layer 1: the source's edges carry Â1[0] = [.875, .125] to the middle tokens, which pass on
  // Â0[k][v] to input v. Into v = 0: min(.875, .875) + min(.125, .125) = 1; into v = 1: min(.875, .125) +
  // min(.125, .875) = .25; divided by their sum: [.8, .2] (the rollout gives [.78125, .21875]).
  assertClose(attentionFlowRow(handLayers, 2, 2, 0).flow, [0.8, 0.2]);
  // From token 1: Â1[1] = [.375, .625]; into 0: .375 + .125 = .5; into 1: .125 + .625 = .75; so [.4, .6].
  assertClose(attentionFlowRow(handLayers, 2, 2, 1).flow, [0.4, 0.6]);
  assertClose(attentionRolloutRow(handLayers, 2, 2, 0), [0.78125, 0.21875]);
});

test('with one layer the flow into each input is its edge, Â[q][v]: the rollout row itself', () => {
  const random = seededRandom(3);
  const layer = randomAttention(random, 3, 6);
  for (let q = 0; q < 6; q++) assertClose(attentionFlowRow([layer], 3, 6, q).flow, attentionRolloutRow([layer], 3, 6, q), 1e-6);
});

/** Each layer's transition as the paper writes it, 0.5·mean(heads) + 0.5·I (mean fusion rows sum to 1). */
function halfResidual(layer: Float32Array, heads: number, t: number): number[][] {
  return Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => {
    let mean = 0;
    for (let h = 0; h < heads; h++) mean += layer[h * t * t + i * t + j] / heads;
    return 0.5 * mean + (i === j ? 0.5 : 0);
  }));
}

const normalised = (values: number[]) => {
  const sum = values.reduce((a, b) => a + b, 0);
  return values.map((v) => v / sum);
};

test('two random layers: each middle token passes min(in, out), so the flow is a sum of minima', () => {
  const random = seededRandom(11);
  const [heads, t] = [4, 7];
  const layers = [randomAttention(random, heads, t), randomAttention(random, heads, t)];
  const [a0, a1] = layers.map((l) => halfResidual(l, heads, t));
  for (let q = 0; q < t; q++) {
    const expected = normalised(Array.from({ length: t }, (_, v) => a1[q].reduce((sum, into, k) => sum + Math.min(into, a0[k][v]), 0)));
    assertClose(attentionFlowRow(layers, heads, t, q).flow, expected, 1e-6);
  }
});

/**
 * The authors' whole graph ((layers + 1) x T nodes, edge k -> j of capacity Â_l[k][j] from after layer l to
 * before it), and the max-flow from output q to input v as its minimum cut, found by enumerating node sets.
 */
function minCutFlow(transitions: number[][][], t: number, q: number, v: number): number {
  const layers = transitions.length;
  const nodes = (layers + 1) * t;
  const [s, sink] = [layers * t + q, v];
  let best = Infinity;
  for (let mask = 0; mask < 2 ** nodes; mask++) {
    if (!((mask >> s) & 1) || (mask >> sink) & 1) continue;
    let cut = 0;
    for (let l = 1; l <= layers; l++) {
      for (let k = 0; k < t; k++) {
        if (!((mask >> (l * t + k)) & 1)) continue;
        for (let j = 0; j < t; j++) if (!((mask >> ((l - 1) * t + j)) & 1)) cut += transitions[l - 1][k][j];
      }
    }
    best = Math.min(best, cut);
  }
  return best;
}

test('three layers of three tokens: every flow equals the minimum cut of the authors\' full 12-node graph', () => {
  const random = seededRandom(23);
  const [heads, t] = [2, 3];
  const layers = [0, 1, 2].map(() => randomAttention(random, heads, t));
  const transitions = layers.map((l) => halfResidual(l, heads, t));
  for (let q = 0; q < t; q++) {
    const expected = normalised(Array.from({ length: t }, (_, v) => minCutFlow(transitions, t, q, v)));
    assertClose(attentionFlowRow(layers, heads, t, q).flow, expected, 1e-6);
  }
  // From layer 1 on, the graph is two layers of the same matrices.
  const expected = normalised(Array.from({ length: t }, (_, v) => minCutFlow(transitions.slice(1), t, 0, v)));
  assertClose(attentionFlowRow(layers, heads, t, 0, { startLayer: 1 }).flow, expected, 1e-6);
});

test('the cost names the graph solved: q, every middle token, the input; one solve per input token', () => {
  const random = seededRandom(5);
  const layers = [0, 1, 2, 3].map(() => randomAttention(random, 2, 5));
  const { cost } = attentionFlowRow(layers, 2, 5, 0);
  // Softmax rows have no zero, so every edge is kept: 5 from q, 2 x 25 between middle layers, 5 into the input.
  assert.deepEqual(cost, { nodes: 2 + 3 * 5, edges: 5 + 2 * 25 + 5, maxFlows: 5 });
  assert.deepEqual(attentionFlowSize(4, 5, 1), cost);
  assert.deepEqual(attentionFlowSize(4, 5, 5, 3), { nodes: 2, edges: 1, maxFlows: 25 });
});

test('bad options are user errors, like the rollout\'s; a cancelled signal stops the solves', () => {
  assert.throws(() => attentionFlowRow(handLayers, 2, 2, 2), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
  assert.throws(() => attentionFlowRow(handLayers, 2, 2, 0, { startLayer: 2 }), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => attentionFlowRow(handLayers, 2, 2, 0, { signal: controller.signal }), (e: unknown) => e instanceof LensError && e.kind === 'cancelled');
});
