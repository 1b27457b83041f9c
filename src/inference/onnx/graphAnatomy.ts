/**
 * Which graph inputs reach each attention layer, read from the graph alone. Dependencies flow forward
 * through every node except Shape and Size, whose outputs depend on a tensor's shape and not on its values
 * (exports build masks and reshapes from Shape(input_ids) without mixing any text into the data). The
 * queries of a layer are the first input of its scores MatMul, the keys the second; fused attention
 * operators are read the same way from their own inputs. Nodes no graph output depends on are left out, as
 * ./taps leaves them out: a dead fused operator is no layer and a dead sum fuses nothing. A layer whose queries
 * descend from a Concat of tokens of different modalities attends over concatenated tokens; without one, a layer
 * whose sides carry both modalities is one stream that has read the other through cross-attention.
 */
import { GraphIndex, isDefaultDomain, isOp } from './graphIndex';
import type { OnnxGraph, OnnxNode } from './onnxTypes';
import { scoresMatMul, type AttentionTap } from './taps';

/** One attention layer: the graph inputs its queries and its keys are computed from. */
export interface AttentionSite {
  /** Index among the graph's attention layers (taps and fused operators) in topological order. */
  layer: number;
  queries: string[];
  keys: string[];
  /** False for a fused operator, which hides its probabilities. */
  observable: boolean;
  /** The queries descend from a Concat of tokens of different modalities (early or late concatenation). */
  concatenated: boolean;
}

/** An Add of operands that each come from one modality, different ones, computed before any attention. */
export interface InputSum {
  node: string;
  /** The graph inputs of each operand. */
  operands: string[][];
}

/** What the graph's data flow says about its attention layers. */
export interface GraphFlow {
  sites: AttentionSite[];
  /** Sums of a tensor of one modality and a tensor of another, where no attention layer has run yet. */
  sums: InputSum[];
}

/** Fused operators whose second input is the key sequence; the rest (Attention, QAttention, ...) attend over their first. */
const separateKeys = new Set(['MultiHeadAttention', 'DecoderMaskedMultiHeadAttention', 'PackedMultiHeadAttention', 'GroupQueryAttention', 'SparseAttention', 'DecoderAttention']);

/**
 * Traces the graph inputs behind each attention layer, and early sums of tensors of different modalities;
 * `modalityOf` names the modality of a graph input (inputs of the same modality share a name).
 */
export function traceGraphFlow(graph: OnnxGraph, taps: AttentionTap[], fusedOperators: string[], modalityOf: (input: string) => string): GraphFlow {
  const index = new GraphIndex(graph);
  const inputs = graph.inputs.map((i) => i.name);
  const deps = new Map<string, bigint>(inputs.map((name, i) => [name, 1n << BigInt(i)]));
  const tapTensors = new Set(taps.map((t) => t.tensor));
  const isFused = (node: OnnxNode) => fusedOperators.includes(node.opType) && (node.domain === 'com.microsoft' || isDefaultDomain(node.domain));
  const afterAttention = new Set<string>();
  const afterConcat = new Set<string>();
  const sites: { node: OnnxNode; queries: string; keys: string; observable: boolean }[] = [];
  const sums: InputSum[] = [];
  const names = (mask: bigint) => inputs.filter((_, i) => (mask >> BigInt(i)) & 1n);
  for (const node of index.order) {
    if (!index.reachesOutput(node)) continue;
    const present = node.inputs.filter(Boolean);
    const mask = isOp(node, 'Shape', 'Size') ? 0n : present.reduce((m, t) => m | (deps.get(t) ?? 0n), 0n);
    const after = present.some((t) => afterAttention.has(t)) || isFused(node) || node.outputs.some((t) => tapTensors.has(t));
    const concatenated = present.some((t) => afterConcat.has(t)) || (isOp(node, 'Concat') && mixesModalities(present.map((t) => names(deps.get(t) ?? 0n)), modalityOf));
    for (const out of node.outputs) {
      deps.set(out, mask);
      if (after) afterAttention.add(out);
      if (concatenated) afterConcat.add(out);
    }
    if (isFused(node)) {
      const keys = separateKeys.has(node.opType) && node.inputs[1] ? node.inputs[1] : node.inputs[0];
      sites.push({ node, queries: node.inputs[0], keys, observable: false });
    } else if (isOp(node, 'Softmax') && tapTensors.has(node.outputs[0])) {
      const scores = scoresMatMul(index, node.inputs[0]);
      if (scores) sites.push({ node, queries: scores.inputs[0], keys: scores.inputs[1], observable: true });
    }
    if (isOp(node, 'Add', 'Sum') && !after) {
      const operands = present.map((t) => names(deps.get(t) ?? 0n));
      if (mixesModalities(operands, modalityOf)) sums.push({ node: node.name || node.outputs[0], operands });
    }
  }
  return {
    sites: sites.map((s, layer) => ({ layer, queries: names(deps.get(s.queries) ?? 0n), keys: names(deps.get(s.keys) ?? 0n), observable: s.observable, concatenated: afterConcat.has(s.queries) })),
    sums,
  };
}

/** True when two operands each come from one modality, and the modalities differ. */
function mixesModalities(operands: string[][], modalityOf: (input: string) => string): boolean {
  const single = operands.map((o) => new Set(o.map(modalityOf))).filter((m) => m.size === 1).map((m) => [...m][0]);
  return new Set(single).size > 1;
}
