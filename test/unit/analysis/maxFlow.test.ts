import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowNetwork, maxFlow } from '../../../src/analysis/attention/maxFlow';
import { LensError } from '../../../src/core/errors';
import { seededRandom } from './helpers';

interface Edge {
  from: number;
  to: number;
  capacity: number;
}

/** The minimum s-t cut by enumerating every node set S with s in S and t outside (max-flow = min-cut). */
function bruteForceMinCut(nodes: number, edges: Edge[], s: number, t: number): number {
  const others = Array.from({ length: nodes }, (_, k) => k).filter((k) => k !== s && k !== t);
  let best = Infinity;
  for (let mask = 0; mask < 2 ** others.length; mask++) {
    const inS = new Set([s, ...others.filter((_, i) => (mask >> i) & 1)]);
    best = Math.min(best, edges.reduce((sum, e) => sum + (inS.has(e.from) && !inS.has(e.to) ? e.capacity : 0), 0));
  }
  return best;
}

function solve(nodes: number, edges: Edge[], s: number, t: number): number {
  const network = flowNetwork(nodes, Int32Array.from(edges, (e) => e.from), Int32Array.from(edges, (e) => e.to), Float64Array.from(edges, (e) => e.capacity));
  return maxFlow(network, s, t);
}

test('max-flow equals the minimum cut found by enumerating every cut, on 300 random graphs of up to 12 nodes', () => {
  const random = seededRandom(17);
  for (let trial = 0; trial < 300; trial++) {
    const nodes = 2 + Math.floor(random() * 11);
    const density = 0.15 + 0.7 * random();
    const edges: Edge[] = [];
    for (let u = 0; u < nodes; u++) {
      for (let v = 0; v < nodes; v++) {
        if (u === v || random() > density) continue;
        // Integer capacities in some graphs, real ones in others, and now and then a parallel edge.
        const capacity = trial % 2 === 0 ? Math.floor(random() * 5) : random();
        edges.push({ from: u, to: v, capacity });
        if (random() < 0.1) edges.push({ from: u, to: v, capacity: random() });
      }
    }
    const [s, t] = [0, nodes - 1];
    const expected = bruteForceMinCut(nodes, edges, s, t);
    const actual = solve(nodes, edges, s, t);
    assert.ok(Math.abs(actual - expected) <= 1e-9, `trial ${trial} (${nodes} nodes, ${edges.length} edges): max-flow ${actual}, min-cut ${expected}`);
  }
});

test('the textbook network (CLRS figure 26.1) carries 23, and flow needs the reverse arcs to find it', () => {
  const edges: Edge[] = [[0, 1, 16], [0, 2, 13], [1, 3, 12], [2, 1, 4], [3, 2, 9], [2, 4, 14], [4, 3, 7], [3, 5, 20], [4, 5, 4]].map(([from, to, capacity]) => ({ from, to, capacity }));
  assert.equal(solve(6, edges, 0, 5), 23);
  // A path s->a->b->t and s->b, a->t: the greedy first path s-a-b-t blocks both others unless flow is pushed back.
  const crossing: Edge[] = [[0, 1, 1], [1, 2, 1], [2, 3, 1], [0, 2, 1], [1, 3, 1]].map(([from, to, capacity]) => ({ from, to, capacity }));
  assert.equal(solve(4, crossing, 0, 3), 2);
});

test('an unreachable sink gets no flow; the residual capacities of a solve are left in the array given', () => {
  assert.equal(solve(3, [{ from: 0, to: 1, capacity: 1 }], 0, 2), 0);
  const network = flowNetwork(3, Int32Array.of(0, 1), Int32Array.of(1, 2), Float64Array.of(0.75, 0.5));
  const residual = network.capacity.slice();
  assert.equal(maxFlow(network, 0, 2, residual), 0.5);
  assert.equal(residual[network.edgeArc[0]], 0.25);
  assert.equal(residual[network.edgeArc[1]], 0);
  // The network itself is untouched, so it solves again with other capacities.
  assert.equal(maxFlow(network, 0, 2), 0.5);
});

test('bad graphs are internal errors', () => {
  assert.throws(() => flowNetwork(2, Int32Array.of(0), Int32Array.of(2), Float64Array.of(1)), LensError);
  assert.throws(() => flowNetwork(2, Int32Array.of(0), Int32Array.of(1), Float64Array.of(-1)), LensError);
  assert.throws(() => flowNetwork(2, Int32Array.of(0), Int32Array.of(1), Float64Array.of(NaN)), LensError);
  assert.throws(() => maxFlow(flowNetwork(2, Int32Array.of(0), Int32Array.of(1), Float64Array.of(1)), 1, 1), LensError);
});
