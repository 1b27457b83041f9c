/**
 * MaskCLIP's dense features (Zhou, Loy & Dai 2022, "Extract Free Dense Labels from CLIP"): in the last
 * attention layer, each token's value goes through the output projection on its own, with no query-key
 * mixing (attention replaced by the identity), and then through the final norm and projection. In the graph,
 * the nodes from the attention x values MatMul down to the output projection are cloned with the values fed
 * in place of probs x values (both have the same shape), and the projection head is cloned onto the result.
 * The residual connection and the MLP of that layer are left out, as MaskCLIP does.
 */
import { GraphIndex, isOp } from './graphIndex';
import { ancestorsOf, FreshNames } from './graphWalk';
import type { ProjectionHead } from './denseProjection';
import type { AttentionTap } from './taps';
import type { NodeSpec, OnnxGraph, OnnxNode } from './onnxTypes';

/** Nodes to append and the tensor they produce: [batch, tokens, projectionDim]. */
export interface ValuePathPlan {
  nodes: NodeSpec[];
  output: string;
}

/** A plan, or why the graph does not allow one. */
export type ValuePathResult = { plan: ValuePathPlan; reason?: undefined } | { plan: undefined; reason: string };

/** Ops between the Softmax and the values MatMul that leave the probabilities unchanged (as in ./taps). */
const passThrough = ['Dropout', 'Cast', 'Identity'];
/** How far the output projection may be from the values MatMul: merge heads, project, add the bias. */
const maxChainLength = 12;

/**
 * Plans the value path of the last attention layer (`taps`, in topological order) through `head`. The
 * layer's output must feed `hiddenOutput`, so that the head is the one that follows this encoder.
 */
export function planValuePath(
  graph: OnnxGraph, taps: readonly AttentionTap[], head: ProjectionHead, hiddenOutput: string, outputName = 'mmlens_value_embeds',
): ValuePathResult {
  const last = taps[taps.length - 1];
  if (!last) return miss('the graph shows no attention probabilities (none found, or fused attention operators hide them)');
  const index = new GraphIndex(graph);
  const matmul = valuesMatMul(index, last.tensor);
  if (!matmul) return miss(`the probabilities of ${last.nodeName} reach the values through ${describeConsumers(index, last.tensor)}, not a plain MatMul`);
  const [, values] = matmul.inputs;
  const chain = chainToResidual(index, matmul.outputs[0], ancestorsOf(index, values));
  if (typeof chain === 'string') return miss(chain);
  if (!ancestorsOf(index, hiddenOutput).has(chain.residual)) return miss(`the last attention layer (${last.nodeName}) does not feed ${hiddenOutput}`);

  const names = new FreshNames(graph);
  const renamed = new Map([[matmul.outputs[0], values]]);
  const nameOf = (t: string) => renamed.get(t) ?? t;
  const nodes: NodeSpec[] = chain.nodes.map((node) => {
    const outputs = node.outputs.map((t) => {
      if (!t) return '';
      const name = names.fresh(`mmlens_value/${t}`);
      renamed.set(t, name);
      return name;
    });
    return { ...node, name: names.fresh(`mmlens_value/${node.name || node.opType}`), inputs: node.inputs.map(nameOf), outputs };
  });
  const projected = head.applyTo(nameOf(chain.attentionOutput), outputName, names, 'mmlens_value/head');
  return { plan: { nodes: [...nodes, ...projected.nodes], output: projected.output } };
}

/** isOp without the type guard, which would narrow a known node to `never` on the false branch. */
function is(node: OnnxNode, ...opTypes: string[]): boolean {
  return isOp(node, ...opTypes);
}

function miss(reason: string): ValuePathResult {
  return { plan: undefined, reason };
}

/**
 * The MatMul whose first operand is the probabilities (through ops that do not change them): depth-first in
 * consumer order, with a stack, so a chain of any length is followed without recursion.
 */
function valuesMatMul(index: GraphIndex, probs: string): OnnxNode | undefined {
  const seen = new Set([probs]);
  const stack: OnnxNode[] = [];
  const pushReaders = (tensor: string) => {
    const readers = index.consumersOf(tensor).filter((c) => c.inputs[0] === tensor);
    for (let i = readers.length - 1; i >= 0; i--) stack.push(readers[i]);
  };
  pushReaders(probs);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (is(node, 'MatMul')) return node;
    const out = node.outputs[0];
    if (is(node, ...passThrough) && out && !seen.has(out)) {
      seen.add(out);
      pushReaders(out);
    }
  }
  return undefined;
}

function describeConsumers(index: GraphIndex, tensor: string): string {
  return index.consumersOf(tensor).map((c) => `${c.domain ? `${c.domain}.` : ''}${c.opType}`).join(', ') || 'nothing';
}

/**
 * The nodes from the attention context (probs x values) to the residual Add: the first Add whose other
 * operand comes from the layer's input side (`upstream`, the ancestors of the values). Shape nodes reading a
 * chain tensor are skipped (the values have the context's shape); any other branch means the chain is not a
 * plain projection, and a string says why.
 */
function chainToResidual(
  index: GraphIndex, context: string, upstream: Set<OnnxNode>,
): { nodes: OnnxNode[]; attentionOutput: string; residual: OnnxNode } | string {
  const nodes: OnnxNode[] = [];
  let tensor = context;
  for (let step = 0; step < maxChainLength; step++) {
    const next = index.consumersOf(tensor).filter((c) => !is(c, 'Shape'));
    if (next.length !== 1) return `the attention output ${tensor} feeds ${next.length} nodes, not one chain to the residual connection`;
    const [node] = next;
    const other = is(node, 'Add') ? node.inputs.find((t) => t !== tensor) : undefined;
    const otherProducer = other === undefined ? undefined : index.producerOf(other);
    if (otherProducer && upstream.has(otherProducer)) return { nodes, attentionOutput: tensor, residual: node };
    if (node.outputs.filter(Boolean).length !== 1) return `${node.opType} ${node.name} after the attention has ${node.outputs.length} outputs`;
    nodes.push(node);
    tensor = node.outputs[0];
  }
  return `no residual Add within ${maxChainLength} nodes of the attention output`;
}
