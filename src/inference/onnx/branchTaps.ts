/**
 * Attention inside the branches of an If node. Optimum's merged decoders (`decoder_model_merged.onnx`) are one If
 * on `use_cache_branch` whose then-branch is the decoder with a past and whose else-branch the decoder without:
 * every attention Softmax is inside a subgraph, where a graph output cannot name it. Such a tap is read by adding
 * the Softmax's output to each branch's outputs and one output per layer to the If node (an If returns what the
 * branch it ran returns, by position), then that output to the graph (runtime/branchOutputs.ts rewrites the node).
 * Both branches must have the same number of layers, which pair up in order.
 */
import { GraphIndex, isOp } from './graphIndex';
import { FreshNames } from './graphWalk';
import type { OnnxGraph } from './onnxTypes';
import { decodeSubgraph } from './schema';
import { findAttentionTaps, inputDependentTensors, type AttentionTap } from './taps';

/** The branch attributes of an If node, in the order their taps are written. */
export const IF_BRANCHES = ['then_branch', 'else_branch'] as const;

/** How to expose one If node's attention: what each branch adds to its outputs, and the If's new outputs. */
export interface BranchTapPlan {
  /** The If node's position in the graph's node list (file order). */
  nodeIndex: number;
  /** Per branch attribute, the Softmax outputs to add to that branch's outputs, one per layer. */
  branchTensors: Record<(typeof IF_BRANCHES)[number], string[]>;
  /** The If node's new outputs, one per layer: the names the taps are read under. */
  outputs: string[];
}

/** What a scan of a graph's If nodes found. */
export interface BranchTapScan {
  taps: AttentionTap[];
  plans: BranchTapPlan[];
  fusedOperators: string[];
  /** Why attention inside a branch is not tapped (branches with different layer counts), when that is so. */
  unobserved?: string;
}

/**
 * The then-branch of the first If node that holds attention, as a graph of its own whose inputs are the enclosing
 * graph's (a branch reads them from the outer scope): what an analysis that follows inputs to layers can walk.
 */
export function branchAsGraph(graph: OnnxGraph, plan: BranchTapPlan): OnnxGraph {
  const bytes = graph.nodes[plan.nodeIndex].attributes.find((a) => a.name === IF_BRANCHES[0])!.g!;
  return { ...decodeSubgraph(bytes, graph), inputs: graph.inputs };
}

/** Finds the attention inside the If nodes the graph's outputs depend on; taps are numbered from `firstLayer`. */
export function findBranchTaps(graph: OnnxGraph, firstLayer: number): BranchTapScan {
  const index = new GraphIndex(graph);
  const names = new FreshNames(graph);
  const scan: BranchTapScan = { taps: [], plans: [], fusedOperators: [] };
  let outer: Set<string> | undefined;
  graph.nodes.forEach((node, nodeIndex) => {
    if (!isOp(node, 'If') || !index.reachesOutput(node)) return;
    const branches = IF_BRANCHES.map((name) => {
      const bytes = node.attributes.find((a) => a.name === name)?.g;
      outer ??= inputDependentTensors(graph);
      return bytes ? findAttentionTaps(decodeSubgraph(bytes, graph), outer) : undefined;
    });
    const [then, otherwise] = branches;
    if (!then || !otherwise) return;
    scan.fusedOperators.push(...then.fusedOperators, ...otherwise.fusedOperators);
    if (then.taps.length !== otherwise.taps.length) {
      scan.unobserved = `the branches of If node "${node.name}" hold ${then.taps.length} and ${otherwise.taps.length} attention layers, which cannot be paired`;
      return;
    }
    if (then.taps.length === 0) return;
    const outputs = then.taps.map((_, i) => names.fresh(`mmlens_branch_attention_${nodeIndex}_${i}`));
    scan.plans.push({ nodeIndex, branchTensors: { then_branch: then.taps.map((t) => t.tensor), else_branch: otherwise.taps.map((t) => t.tensor) }, outputs });
    for (const [i, tensor] of outputs.entries()) {
      scan.taps.push({ tensor, nodeName: `${node.name}/${then.taps[i].nodeName}`, layer: firstLayer + scan.taps.length });
    }
  });
  scan.fusedOperators = [...new Set(scan.fusedOperators)];
  return scan;
}
