/**
 * Dense features from the last attention layer with its query-key mixing taken out. Three variants, each then
 * through the model's own final norm and projection; the first two make every token attend to itself alone (the
 * attention matrix replaced by the identity, so probs x values becomes the values):
 * - `maskclip`: MaskCLIP (Zhou, Loy & Dai 2022, "Extract Free Dense Labels from CLIP"; the authors'
 *   `TransformerEncoderLayer.forward` with `return_qkv`): the rest of the layer stays, the output projection,
 *   the residual connection and the MLP block with its own residual. In the graph, every node from the
 *   attention context down to the hidden output is cloned with the values fed in place of probs x values.
 * - `values`: the values through the output projection alone, without the residual and the MLP; only the nodes
 *   from the context to the residual Add are cloned.
 * - `clearclip`: ClearCLIP (Lan et al. 2024, "ClearCLIP: Decomposing CLIP Representations for Dense
 *   Vision-Language Inference"; the authors' `custom_attn` with `model_type='ClearCLIP'`): query-query attention,
 *   softmax(scale q q^T) x values, through the output projection, without the residual and the MLP. In the graph,
 *   the keys' path from their projection to the scores is cloned reading the queries' projection instead, so the
 *   scores keep whatever scaling the graph gives them; then the Softmax, the values MatMul and the chain to the
 *   residual Add are cloned after it.
 */
import { GraphIndex, isOp } from './graphIndex';
import { ancestorsOf, descendantsOf, FreshNames } from './graphWalk';
import { NodeCloner } from './nodeCloner';
import type { ProjectionHead } from './denseProjection';
import { scoresMatMul, type AttentionTap } from './taps';
import type { NodeSpec, OnnxGraph, OnnxNode } from './onnxTypes';

/**
 * Which part of the last layer follows the values: everything but the mixing (MaskCLIP), nothing (the output
 * projection alone), or nothing after query-query attention (ClearCLIP).
 */
export type ValuePathVariant = 'maskclip' | 'values' | 'clearclip';

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
/** Ops that only reshape, reorder or scale the queries or keys between their projection and the scores MatMul. */
const projectionToScores = ['Reshape', 'Transpose', 'Mul', 'Div', 'Cast', 'Squeeze', 'Unsqueeze', 'Identity'];

/**
 * Plans the `variant` value path of the last attention layer (`taps`, in topological order) through `head`.
 * The layer's output must feed `hiddenOutput`, so that the head is the one that follows this encoder. Every
 * variant needs a plain MatMul of the probabilities and values, and a plain chain from it to the residual Add;
 * ClearCLIP also needs the queries and the keys traced back to two projections of the same kind.
 */
export function planValuePath(
  graph: OnnxGraph, taps: readonly AttentionTap[], head: ProjectionHead, hiddenOutput: string, variant: ValuePathVariant,
  outputName = `mmlens_${variant}_embeds`,
): ValuePathResult {
  const last = taps[taps.length - 1];
  if (!last) return miss('the graph shows no attention probabilities (none found, or fused attention operators hide them)');
  const index = new GraphIndex(graph);
  const matmul = valuesMatMul(index, last.tensor);
  if (!matmul) return miss(`the probabilities of ${last.nodeName} reach the values through ${describeConsumers(index, last.tensor)}, not a plain MatMul`);
  const [, values] = matmul.inputs;
  const context = matmul.outputs[0];
  const chain = chainToResidual(index, context, ancestorsOf(index, values));
  if (typeof chain === 'string') return miss(chain);
  const toHidden = ancestorsOf(index, hiddenOutput);
  if (!toHidden.has(chain.residual)) return miss(`the last attention layer (${last.nodeName}) does not feed ${hiddenOutput}`);

  const names = new FreshNames(graph);
  const prefix = `mmlens_${variant}`;
  if (variant === 'clearclip') return planQueryQuery(index, last, chain.attentionOutput, head, names, prefix, outputName);
  const clone = new NodeCloner(names, prefix, [[context, values]]);
  // MaskCLIP: what lies between the context and the state the head reads, in graph order (the residual, the MLP;
  // a float16 graph's head reads its state before the Cast to a float32 output).
  const fromContext = descendantsOf(index, context);
  const toHead = variant === 'values' ? undefined : ancestorsOf(index, head.hiddenState);
  const cloned = toHead ? index.order.filter((n) => fromContext.has(n) && toHead.has(n)) : chain.nodes;
  const nodes = cloned.flatMap((n) => clone.node(n));
  const projected = head.applyTo(clone.nameOf(toHead ? head.hiddenState : chain.attentionOutput), outputName, names, `${prefix}/head`);
  return { plan: { nodes: [...nodes, ...projected.nodes], output: projected.output } };
}

/** ClearCLIP's plan: the nodes from the keys' projection to the attention output, cloned with the queries' projection in its place. */
function planQueryQuery(
  index: GraphIndex, last: AttentionTap, attentionOutput: string, head: ProjectionHead, names: FreshNames, prefix: string, outputName: string,
): ValuePathResult {
  const scores = scoresMatMul(index, index.producerOf(last.tensor)!.inputs[0]);
  if (!scores) return miss(`no queries x keys MatMul leads to the Softmax of ${last.nodeName}`);
  const [queries, keys] = [projectionOf(index, scores.inputs[0]), projectionOf(index, scores.inputs[1])];
  const [queryOp, keyOp] = [index.producerOf(queries)?.opType, index.producerOf(keys)?.opType];
  if (queries === keys || !queryOp || queryOp !== keyOp) {
    return miss(`the queries and keys of ${last.nodeName} do not come from two projections of one kind (${queryOp ?? queries}, ${keyOp ?? keys})`);
  }
  const clone = new NodeCloner(names, prefix, [[keys, queries]]);
  const fromKeys = descendantsOf(index, keys);
  const toOutput = ancestorsOf(index, attentionOutput);
  const nodes = index.order.filter((n) => fromKeys.has(n) && toOutput.has(n)).flatMap((n) => clone.node(n));
  const projected = head.applyTo(clone.nameOf(attentionOutput), outputName, names, `${prefix}/head`);
  return { plan: { nodes: [...nodes, ...projected.nodes], output: projected.output } };
}

/**
 * The projection output a scores MatMul operand is computed from: back through reshapes, transposes, casts and
 * scalings by a constant, to the first other op (the projection's bias Add or MatMul, or a Split of a fused one).
 */
function projectionOf(index: GraphIndex, operand: string): string {
  let tensor = operand;
  for (let step = 0; step < maxChainLength; step++) {
    const node = index.producerOf(tensor);
    if (!node || !is(node, ...projectionToScores)) return tensor;
    const data = is(node, 'Mul', 'Div') ? node.inputs.filter((t) => index.constantDims(t) === undefined) : node.inputs.slice(0, 1);
    if (data.length !== 1) return tensor;
    tensor = data[0];
  }
  return tensor;
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
export function valuesMatMul(index: GraphIndex, probs: string): OnnxNode | undefined {
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
export function chainToResidual(
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
