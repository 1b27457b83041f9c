/**
 * The learned logit scale (and SigLIP's bias) of a one-graph CLIP or SigLIP export (onnx/model.onnx). Their
 * towers do not hold them and config.json does not either (only `logit_scale_init_value`), so the one-graph
 * export beside the towers is where the trained values are. HF computes
 * `logits_per_text = matmul(text, image.T) * exp(logit_scale) (+ logit_bias)` and `logits_per_image` as its
 * transpose; the exporter folds `exp` of the weight into a constant or keeps the Exp node.
 */
import type { OnnxGraph, OnnxNode } from './onnxTypes';
import { GraphIndex, isOp } from './graphIndex';

/** The scale that multiplies the cosines (already exponentiated) and the bias added after, when there is one. */
export interface LogitHead {
  scale: number;
  bias?: number;
}

const LOGIT_OUTPUTS = ['logits_per_text', 'logits_per_image'];

/** Reads the logit head behind `logits_per_text` or `logits_per_image`; undefined when the graph has another shape. */
export function readLogitHead(graph: OnnxGraph): LogitHead | undefined {
  const index = new GraphIndex(graph);
  for (const name of LOGIT_OUTPUTS) {
    if (!graph.outputs.some((o) => o.name === name)) continue;
    const head = headBehind(index, name);
    if (head) return head;
  }
  return undefined;
}

function headBehind(index: GraphIndex, output: string): LogitHead | undefined {
  let node = index.producerOf(output);
  while (isOp(node, 'Transpose', 'Identity')) node = index.producerOf(node.inputs[0]);
  let bias: number | undefined;
  if (isOp(node, 'Add')) {
    const split = constantOperand(node, (tensor) => scalar(index, tensor));
    if (!split) return undefined;
    bias = split.value;
    node = index.producerOf(split.other);
  }
  if (!isOp(node, 'Mul')) return undefined;
  const scaled = constantOperand(node, (tensor) => exponentiated(index, tensor));
  if (!scaled || !isOp(index.producerOf(scaled.other), 'MatMul', 'Gemm')) return undefined;
  return bias === undefined ? { scale: scaled.value } : { scale: scaled.value, bias };
}

/** The operand of a binary node that `read` turns into a number, and the other operand. */
function constantOperand(node: OnnxNode, read: (tensor: string) => number | undefined): { value: number; other: string } | undefined {
  for (const [mine, other] of [[0, 1], [1, 0]]) {
    const value = read(node.inputs[mine]);
    if (value !== undefined) return { value, other: node.inputs[other] };
  }
  return undefined;
}

/** A one-element constant. */
function scalar(index: GraphIndex, tensor: string): number | undefined {
  const values = index.constantValues(tensor);
  return values?.length === 1 && Number.isFinite(values[0]) ? values[0] : undefined;
}

/** A one-element constant, or exp of one (the exporter may keep the Exp of the logit_scale weight). */
function exponentiated(index: GraphIndex, tensor: string): number | undefined {
  const producer = index.producerOf(tensor);
  if (isOp(producer, 'Exp')) {
    const exponent = scalar(index, producer.inputs[0]);
    return exponent === undefined ? undefined : Math.exp(exponent);
  }
  return scalar(index, tensor);
}
