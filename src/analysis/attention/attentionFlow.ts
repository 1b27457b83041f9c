/**
 * Attention flow (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"), as the authors' code
 * computes it (samiraabnar/attention_flow, attention_graph_util.py: `get_adjmat`, `compute_flows`): the layers
 * form a graph with one node per token before the first layer and after each layer; node k after layer l has an
 * edge to node j before it whose capacity is Â_l[k][j], the rollout's transition matrix (heads averaged, the
 * identity added for the residual, rows renormalised: 0.5·A + 0.5·I). The flow of input token v into output
 * token q is the maximum flow from q's node after the last layer to v's input node; the T values are then
 * divided by their sum, as `compute_flows` normalises each output row.
 *
 * The authors solve each (q, v) pair on the whole graph with networkx's Edmonds-Karp. Here each solve keeps only
 * what a flow from q to v can use: q's own node at the top, every token after the intermediate layers, and v alone
 * at the input (the other input nodes have no way out, q's siblings at the top no way in), so the values are the
 * same; Dinic's algorithm (maxFlow.ts) solves it. The same head fusion, start layer and residual options as the
 * rollout apply; the authors' graph is the default (mean, 0, residual).
 */
import { badInput } from '../../core/errors';
import { throwIfCancelled } from '../../core/progress';
import { flowNetwork, maxFlow } from './maxFlow';
import { layerTransition, prepareRollout, type RolloutOptions } from './rollout';

/** The size of the work: the nodes and edges of the graph one solve runs on, and how many solves there are. */
export interface AttentionFlowCost {
  nodes: number;
  edges: number;
  maxFlows: number;
}

/** One output token's attention flow from every input token and what computing it took. */
export interface AttentionFlow {
  /** T values, the flow from each input token, divided by their sum (all zero when no flow gets through). */
  flow: Float32Array;
  cost: AttentionFlowCost;
}

/**
 * The size of the flow graphs over `layers` layers (from `startLayer`) of `tokens` tokens, for `queries` output
 * tokens, before any zero-capacity edge is dropped: what a request can be judged by before it runs.
 */
export function attentionFlowSize(layers: number, tokens: number, queries: number, startLayer = 0): AttentionFlowCost {
  const m = layers - startLayer;
  const nodes = 2 + (m - 1) * tokens;
  const edges = m === 1 ? 1 : 2 * tokens + (m - 2) * tokens * tokens;
  return { nodes, edges, maxFlows: queries * tokens };
}

/** Edge lists of a known most size, filled in order. */
class EdgeList {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly capacity: Float64Array;
  length = 0;

  constructor(most: number) {
    this.from = new Int32Array(most);
    this.to = new Int32Array(most);
    this.capacity = new Float64Array(most);
  }

  add(from: number, to: number, capacity: number): void {
    this.from[this.length] = from;
    this.to[this.length] = to;
    this.capacity[this.length++] = capacity;
  }
}

/**
 * The attention flow into output token `query` from each input token: `layers[l]` is layer l's attention,
 * heads x T x T row-major (queries are rows), as attentionRolloutRow takes it, with the same options.
 */
export function attentionFlowRow(layers: Float32Array[], heads: number, tokens: number, query: number, options: RolloutOptions = {}): AttentionFlow {
  const { headFusion, startLayer, residual, discardRatio } = prepareRollout(layers, heads, tokens, options);
  if (!Number.isInteger(query) || query < 0 || query >= tokens) throw badInput(`Query token ${query} is out of range.`, `Use a token from 0 to ${tokens - 1}.`);
  const t = tokens;
  const a = layers.slice(startLayer).map((layer) => layerTransition(layer, heads, t, headFusion, residual, discardRatio));
  const m = a.length;
  const [source, sink] = [0, 1];
  // Node of token k after relative layer `after` (1 .. m - 1).
  const node = (after: number, k: number) => 2 + (after - 1) * t + k;
  const size = attentionFlowSize(layers.length, t, 1, startLayer);
  const edges = new EdgeList(size.edges);
  if (m > 1) {
    for (let k = 0; k < t; k++) if (a[m - 1][query * t + k] > 0) edges.add(source, node(m - 1, k), a[m - 1][query * t + k]);
    for (let after = m - 1; after >= 2; after--) {
      const transition = a[after - 1];
      for (let x = 0; x < t; x++) {
        for (let y = 0; y < t; y++) if (transition[x * t + y] > 0) edges.add(node(after, x), node(after - 1, y), transition[x * t + y]);
      }
    }
  }
  // The edges into the sink, whose capacities change with the input token v: set before each solve.
  const firstSinkEdge = edges.length;
  const feeders = m > 1 ? t : 1;
  for (let k = 0; k < feeders; k++) edges.add(m > 1 ? node(1, k) : source, sink, 0);
  const kept = edges.length;
  const network = flowNetwork(size.nodes, edges.from.subarray(0, kept), edges.to.subarray(0, kept), edges.capacity.subarray(0, kept));
  const residualCapacity = new Float64Array(network.capacity.length);
  const flows = new Float64Array(t);
  for (let v = 0; v < t; v++) {
    throwIfCancelled(options.signal);
    residualCapacity.set(network.capacity);
    for (let k = 0; k < feeders; k++) residualCapacity[network.edgeArc[firstSinkEdge + k]] = a[0][(m > 1 ? k : query) * t + v];
    flows[v] = maxFlow(network, source, sink, residualCapacity);
    options.onProgress?.({ stage: 'flow', done: v + 1, total: t });
  }
  const total = flows.reduce((sum, f) => sum + f, 0);
  const flow = Float32Array.from(flows, (f) => (total > 0 ? f / total : 0));
  return { flow, cost: { nodes: network.nodes, edges: kept, maxFlows: t } };
}
