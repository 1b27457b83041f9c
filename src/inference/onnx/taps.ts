/**
 * Finds the attention-probability tensors inside a transformer graph, so they can be added as outputs.
 * A tap is a last-axis Softmax fed by a queries x keys MatMul (through scaling and masking) whose result
 * is the first operand of the attention x values MatMul. Layout-agnostic: [b, h, q, k] and [b*h, q, k]
 * exports match alike. Fused attention operators compute the softmax internally; they are reported.
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
  taps: AttentionTap[];
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

/** Finds every attention tap of a graph and the fused attention operators it uses. */
export function findAttentionTaps(graph: OnnxGraph): AttentionTapScan {
  const index = new GraphIndex(graph);
  const ranks = new RankInference(index);
  const opset = index.opsetVersion() ?? 1;
  const softmaxes = index.order.filter((node) =>
    isOp(node, 'Softmax')
    && isLastAxis(node, opset, ranks)
    && feedsValuesMatMul(index, node.outputs[0], 0)
    && scoresMatMul(index, node.inputs[0]) !== undefined);
  const fused = index.order.filter((node) =>
    (node.domain === 'com.microsoft' && fusedMicrosoftOps.has(node.opType))
    || (isOp(node, 'Attention') && opset >= onnxAttentionOpset));
  return {
    taps: softmaxes.map((node, layer) => ({ tensor: node.outputs[0], nodeName: node.name, layer })),
    fusedOperators: [...new Set(fused.map((n) => n.opType))],
  };
}

/** Before opset 13 the default axis is 1 and the softmax covers all axes from there on. */
function isLastAxis(node: OnnxNode, opset: number, ranks: RankInference): boolean {
  const axis = intAttribute(node, 'axis', opset >= 13 ? -1 : 1);
  if (axis === -1) return true;
  const rank = ranks.rank(node.inputs[0]) ?? ranks.rank(node.outputs[0]);
  return rank !== undefined && axis === rank - 1;
}

function isMatMul(node: OnnxNode | undefined): node is OnnxNode {
  return (node?.domain === 'com.microsoft' && node.opType === 'FusedMatMul') || isOp(node, 'MatMul');
}

function feedsValuesMatMul(index: GraphIndex, tensor: string, depth: number): boolean {
  if (depth > searchDepth) return false;
  return index.consumersOf(tensor).some((c) =>
    (isMatMul(c) && c.inputs[0] === tensor)
    || (isOp(c, ...passThroughAfter) && c.inputs[0] === tensor && feedsValuesMatMul(index, c.outputs[0], depth + 1)));
}

/**
 * The queries x keys MatMul that `tensor` (a Softmax's input) is computed from, through scaling and masking;
 * its first input carries the queries and its second the keys.
 */
export function scoresMatMul(index: GraphIndex, tensor: string, depth = 0): OnnxNode | undefined {
  const node = index.producerOf(tensor);
  if (isMatMul(node)) return node;
  if (depth >= searchDepth || !isOp(node, ...betweenScoresAndSoftmax)) return undefined;
  for (const input of dataInputs(node)) {
    const found = scoresMatMul(index, input, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The inputs that carry the scores: not a Where's condition nor a Reshape's shape. */
function dataInputs(node: OnnxNode): string[] {
  if (node.opType === 'Where') return node.inputs.slice(1);
  if (node.opType === 'Reshape') return node.inputs.slice(0, 1);
  return node.inputs.filter(Boolean);
}
