/**
 * Finds the attention-probability tensors inside a transformer graph, so they can be added as outputs.
 * A tap is a last-axis Softmax fed by a queries x keys MatMul (through scaling and masking) whose result
 * is the first operand of the attention x values MatMul. Layout-agnostic: [b, h, q, k] and [b*h, q, k]
 * exports match alike. Fused attention operators compute the softmax internally; they are reported.
 * Only attention the model's outputs depend on counts: a Softmax (or fused operator) from which no graph
 * output is reachable is dead code (onnxruntime prunes it), not a layer, and is neither tapped nor counted.
 * Identity nodes are aliases: they do not count towards the search depth, so a chain of them between the
 * scores, the Softmax and the values MatMul changes nothing.
 * Attention whose queries are learned constants (SigLIP's attention-pooling head: one probe vector attends
 * over the patches) is not a transformer layer: it is found as a pooling tap, apart from the layers.
 */
import { intAttribute, type OnnxGraph, type OnnxNode } from './onnxTypes';
import { GraphIndex, isOp } from './graphIndex';
import { RankInference } from './rankInference';

/** One attention-probability tensor. */
export interface AttentionTap {
  /** The Softmax output's name: add it as a graph output to read the probabilities. */
  tensor: string;
  /** The Softmax node's name. */
  nodeName: string;
  /** 0-based, in the graph's topological order. */
  layer: number;
}

/** What a scan of a graph found. */
export interface AttentionTapScan {
  /** The transformer layers' attention. */
  taps: AttentionTap[];
  /** Attention-pooling heads: learned queries (no input reaches them) over the tokens; numbered apart. */
  pooling: AttentionTap[];
  /** Distinct op types of fused attention nodes that hide their probabilities. */
  fusedOperators: string[];
}

const fusedMicrosoftOps = new Set([
  'Attention', 'MultiHeadAttention', 'PackedAttention', 'PackedMultiHeadAttention', 'GroupQueryAttention',
  'DecoderMaskedMultiHeadAttention', 'DecoderMaskedSelfAttention', 'QAttention', 'SparseAttention',
  'LongformerAttention', 'DecoderAttention',
]);

/** The first ai.onnx opset with a fused Attention operator. */
const onnxAttentionOpset = 23;

/** Ops between the Softmax and the values MatMul that leave the probabilities unchanged. */
const passThroughAfter = ['Dropout', 'Cast', 'Identity'];
/** Ops between the scores MatMul and the Softmax: scaling, masking, and the reshapes around a 4-D mask. */
const betweenScoresAndSoftmax = ['Add', 'Mul', 'Div', 'Where', 'Cast', 'Reshape', 'Identity'];
const searchDepth = 6;

/**
 * Finds every attention tap of a graph and the fused attention operators it uses. For a subgraph (an If's
 * branch), `outer` names the enclosing graph's tensors that depend on its inputs (inputDependentTensors): a
 * branch has no inputs of its own, and its queries come from there.
 */
export function findAttentionTaps(graph: OnnxGraph, outer: ReadonlySet<string> = new Set()): AttentionTapScan {
  const index = new GraphIndex(graph);
  const ranks = new RankInference(index);
  const opset = index.opsetVersion() ?? 1;
  const softmaxes = index.order.filter((node) =>
    isOp(node, 'Softmax')
    && index.reachesOutput(node)
    && isLastAxis(node, opset, ranks)
    && feedsValuesMatMul(index, node.outputs[0])
    && scoresMatMul(index, node.inputs[0]) !== undefined);
  const fused = index.order.filter((node) => index.reachesOutput(node) && (
    (node.domain === 'com.microsoft' && fusedMicrosoftOps.has(node.opType))
    || (isOp(node, 'Attention') && opset >= onnxAttentionOpset)));
  const fromInputs = dependentOn(index, [...index.graph.inputs.map((input) => input.name), ...outer]);
  const learnedQueries = (node: OnnxNode) => !fromInputs.has(scoresMatMul(index, node.inputs[0])!.inputs[0]);
  const numbered = (nodes: OnnxNode[]) => nodes.map((node, layer) => ({ tensor: node.outputs[0], nodeName: node.name, layer }));
  return {
    taps: numbered(softmaxes.filter((node) => !learnedQueries(node))),
    pooling: numbered(softmaxes.filter(learnedQueries)),
    fusedOperators: [...new Set(fused.map((n) => n.opType))],
  };
}

/** A cross-attention matcher's layers by stream, as indices into its taps. */
export interface StreamTaps {
  /** The image encoder's self-attention: the text input reaches neither queries nor keys. */
  vision: number[];
  /** The text encoder's self-attention: the text input reaches both sides. */
  text: number[];
  /** Cross-attention: queries from the text stream, keys the text input does not reach (the image tokens). */
  cross: number[];
}

/** Sorts the taps of one graph that reads `textInput` and an image into the streams of a cross-attention matcher. */
export function streamTaps(graph: OnnxGraph, taps: AttentionTap[], textInput: string): StreamTaps {
  const index = new GraphIndex(graph);
  const fromText = dependentOn(index, [textInput]);
  const streams: StreamTaps = { vision: [], text: [], cross: [] };
  taps.forEach((tap, i) => {
    const scores = scoresMatMul(index, index.producerOf(tap.tensor)!.inputs[0])!;
    const [queries, keys] = [fromText.has(scores.inputs[0]), fromText.has(scores.inputs[1])];
    streams[!queries ? 'vision' : keys ? 'text' : 'cross'].push(i);
  });
  return streams;
}

/** The taps among `taps` whose attention depends on the graph input `input` (one tower of a one-graph export). */
export function tapsReachedFrom(graph: OnnxGraph, taps: AttentionTap[], input: string): AttentionTap[] {
  const reached = dependentOn(new GraphIndex(graph), [input]);
  return taps.filter((tap) => reached.has(tap.tensor));
}

/** The tensors of `graph` whose values depend on its inputs (what a subgraph of it reads from them). */
export function inputDependentTensors(graph: OnnxGraph): Set<string> {
  return dependentOn(new GraphIndex(graph), graph.inputs.map((input) => input.name));
}

/**
 * The tensors whose values depend on `sources`, in one pass in topological order. A Shape or Size reads
 * only its input's shape: SigLIP's probe is tiled to the batch size, and stays a learned constant all the same.
 */
function dependentOn(index: GraphIndex, sources: string[]): Set<string> {
  const dependent = new Set(sources);
  for (const node of index.order) {
    if (is(node, 'Shape', 'Size') || !node.inputs.some((input) => dependent.has(input))) continue;
    for (const out of node.outputs) if (out) dependent.add(out);
  }
  return dependent;
}

/** Before opset 13 the default axis is 1 and the softmax covers all axes from there on. */
function isLastAxis(node: OnnxNode, opset: number, ranks: RankInference): boolean {
  const axis = intAttribute(node, 'axis', opset >= 13 ? -1 : 1);
  if (axis === -1) return true;
  const rank = ranks.rank(node.inputs[0]) ?? ranks.rank(node.outputs[0]);
  return rank !== undefined && axis === rank - 1;
}

function isMatMul(node: OnnxNode | undefined): boolean {
  return (node?.domain === 'com.microsoft' && node.opType === 'FusedMatMul') || isOp(node, 'MatMul');
}

/** isOp without the type guard, which would narrow a known node to `never` on the false branch. */
function is(node: OnnxNode, ...opTypes: string[]): boolean {
  return isOp(node, ...opTypes);
}

/**
 * True when `probs` is the first operand of a MatMul, through at most `searchDepth` ops that leave it unchanged
 * (Identity nodes not counted). Walked with a stack; a tensor is walked again only when reached in fewer steps.
 */
function feedsValuesMatMul(index: GraphIndex, probs: string): boolean {
  const steps = new Map([[probs, 0]]);
  const stack: [string, number][] = [[probs, 0]];
  while (stack.length > 0) {
    const [tensor, depth] = stack.pop()!;
    for (const c of index.consumersOf(tensor)) {
      if (c.inputs[0] !== tensor) continue;
      if (isMatMul(c)) return true;
      const out = c.outputs[0];
      if (!is(c, ...passThroughAfter) || !out) continue;
      const next = c.opType === 'Identity' ? depth : depth + 1;
      if (next > searchDepth || (steps.get(out) ?? Infinity) <= next) continue;
      steps.set(out, next);
      stack.push([out, next]);
    }
  }
  return false;
}

/**
 * The queries x keys MatMul that `tensor` (a Softmax's input) is computed from, through scaling and masking;
 * its first input carries the queries and its second the keys. Depth-first, the first data input first, as
 * far as `searchDepth` ops (Identity nodes not counted), with a stack instead of recursion.
 */
export function scoresMatMul(index: GraphIndex, tensor: string): OnnxNode | undefined {
  const steps = new Map([[tensor, 0]]);
  const stack: [string, number][] = [[tensor, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    const node = index.producerOf(current);
    if (!node) continue;
    if (isMatMul(node)) return node;
    if (!is(node, ...betweenScoresAndSoftmax)) continue;
    const alias = node.opType === 'Identity';
    if (depth >= searchDepth && !alias) continue;
    const next = alias ? depth : depth + 1;
    const inputs = dataInputs(node);
    for (let i = inputs.length - 1; i >= 0; i--) {
      if ((steps.get(inputs[i]) ?? Infinity) <= next) continue;
      steps.set(inputs[i], next);
      stack.push([inputs[i], next]);
    }
  }
  return undefined;
}

/** The inputs that carry the scores: not a Where's condition nor a Reshape's shape. */
function dataInputs(node: OnnxNode): string[] {
  if (node.opType === 'Where') return node.inputs.slice(1);
  if (node.opType === 'Reshape') return node.inputs.slice(0, 1);
  return node.inputs.filter(Boolean);
}
