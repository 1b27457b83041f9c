/**
 * Maximum flow on a directed graph with real capacities (Dinic's algorithm: breadth-first levels, then blocking
 * flows along them with one pointer per node), on typed arrays so a graph of a million arcs stays compact. The
 * graph is built once (`flowNetwork`) and solved many times on fresh residual capacities (`maxFlow`), which is
 * what attention flow needs: one solve per input token over the same layers.
 */
import { LensError } from '../../core/errors';

/** Residual capacity at or below this counts as none, so rounding cannot keep a path open forever. */
const SATURATED = 1e-12;

/** A directed graph as arcs grouped by their tail (CSR): each edge is a forward arc plus its reverse arc. */
export interface FlowNetwork {
  nodes: number;
  /** Arcs of node u are start[u] .. start[u + 1] - 1. */
  start: Int32Array;
  /** Head of each arc. */
  head: Int32Array;
  /** The arc running the other way. */
  reverse: Int32Array;
  /** Capacity of each arc: the edge's for a forward arc, 0 for a reverse one. */
  capacity: Float64Array;
  /** edgeArc[e]: the forward arc of input edge e, to change its capacity between solves. */
  edgeArc: Int32Array;
}

/** The network of `nodes` nodes and the edges from[e] -> to[e] with capacity[e] (non-negative, finite). */
export function flowNetwork(nodes: number, from: Int32Array, to: Int32Array, capacity: Float64Array): FlowNetwork {
  const edges = from.length;
  if (to.length !== edges || capacity.length !== edges) throw new LensError('internal', `flowNetwork: ${edges} tails, ${to.length} heads, ${capacity.length} capacities.`);
  const start = new Int32Array(nodes + 1);
  for (let e = 0; e < edges; e++) {
    if (from[e] < 0 || from[e] >= nodes || to[e] < 0 || to[e] >= nodes) throw new LensError('internal', `flowNetwork: edge ${e} (${from[e]} -> ${to[e]}) leaves the ${nodes} nodes.`);
    if (!(capacity[e] >= 0) || !Number.isFinite(capacity[e])) throw new LensError('internal', `flowNetwork: edge ${e} has capacity ${capacity[e]}.`);
    start[from[e] + 1]++;
    start[to[e] + 1]++;
  }
  for (let u = 0; u < nodes; u++) start[u + 1] += start[u];
  const next = start.slice(0, nodes);
  const network: FlowNetwork = {
    nodes, start, head: new Int32Array(2 * edges), reverse: new Int32Array(2 * edges), capacity: new Float64Array(2 * edges), edgeArc: new Int32Array(edges),
  };
  for (let e = 0; e < edges; e++) {
    const forward = next[from[e]]++;
    const backward = next[to[e]]++;
    network.head[forward] = to[e];
    network.head[backward] = from[e];
    network.reverse[forward] = backward;
    network.reverse[backward] = forward;
    network.capacity[forward] = capacity[e];
    network.edgeArc[e] = forward;
  }
  return network;
}

/** Work buffers of one network, reused across solves. */
interface Scratch {
  level: Int32Array;
  queue: Int32Array;
  pointer: Int32Array;
  pathArcs: Int32Array;
}

const scratches = new WeakMap<FlowNetwork, Scratch>();

function scratchOf(network: FlowNetwork): Scratch {
  let scratch = scratches.get(network);
  if (!scratch) {
    const n = network.nodes;
    scratch = { level: new Int32Array(n), queue: new Int32Array(n), pointer: new Int32Array(n), pathArcs: new Int32Array(n) };
    scratches.set(network, scratch);
  }
  return scratch;
}

/** Levels by breadth-first search over arcs with residual capacity; true when the sink is reached. */
function levels(network: FlowNetwork, residual: Float64Array, source: number, sink: number, s: Scratch): boolean {
  const { start, head } = network;
  s.level.fill(-1);
  s.level[source] = 0;
  s.queue[0] = source;
  for (let read = 0, write = 1; read < write; read++) {
    const u = s.queue[read];
    for (let a = start[u]; a < start[u + 1]; a++) {
      const v = head[a];
      if (s.level[v] < 0 && residual[a] > SATURATED) {
        s.level[v] = s.level[u] + 1;
        s.queue[write++] = v;
      }
    }
  }
  return s.level[sink] >= 0;
}

/** Pushes a blocking flow along the levels (iterative depth-first search); returns the flow pushed. */
function blockingFlow(network: FlowNetwork, residual: Float64Array, source: number, sink: number, s: Scratch): number {
  const { start, head, reverse } = network;
  const { level, pointer, pathArcs } = s;
  pointer.set(start.subarray(0, network.nodes));
  let pushed = 0;
  let depth = 0;
  let u = source;
  for (;;) {
    if (u === sink) {
      let bottleneck = Infinity;
      for (let d = 0; d < depth; d++) bottleneck = Math.min(bottleneck, residual[pathArcs[d]]);
      let retreat = depth;
      for (let d = 0; d < depth; d++) {
        const a = pathArcs[d];
        residual[a] -= bottleneck;
        residual[reverse[a]] += bottleneck;
        if (residual[a] <= SATURATED && retreat === depth) retreat = d;
      }
      pushed += bottleneck;
      // Back to the tail of the first arc the push saturated.
      depth = retreat;
      u = depth === 0 ? source : head[pathArcs[depth - 1]];
      continue;
    }
    let advanced = false;
    for (; pointer[u] < start[u + 1]; pointer[u]++) {
      const a = pointer[u];
      const v = head[a];
      if (residual[a] > SATURATED && level[v] === level[u] + 1) {
        pathArcs[depth++] = a;
        u = v;
        advanced = true;
        break;
      }
    }
    if (advanced) continue;
    if (u === source) return pushed;
    // A dead end: no path to the sink through u in this phase.
    level[u] = -1;
    depth--;
    u = depth === 0 ? source : head[pathArcs[depth - 1]];
    pointer[u]++;
  }
}

/**
 * The maximum flow from `source` to `sink`. `residual` (the network's capacities, or a copy changed between
 * solves) is used up in place: afterwards it holds the residual capacities of the flow found.
 */
export function maxFlow(network: FlowNetwork, source: number, sink: number, residual: Float64Array = network.capacity.slice()): number {
  if (residual.length !== network.capacity.length) throw new LensError('internal', `maxFlow: ${residual.length} residual capacities for ${network.capacity.length} arcs.`);
  if (source === sink) throw new LensError('internal', 'maxFlow: the source is the sink.');
  const scratch = scratchOf(network);
  let flow = 0;
  while (levels(network, residual, source, sink, scratch)) flow += blockingFlow(network, residual, source, sink, scratch);
  return flow;
}
