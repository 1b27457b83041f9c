/**
 * Tensor ranks without full shape inference. Exports often carry no value_info, yet an opset < 13 Softmax
 * says "axis = 2" and we must know whether that is the last axis; the rank usually follows from a few
 * nearby nodes (a Transpose's perm, a Reshape's shape tensor, a MatMul's operands).
 */
import { findAttribute } from './onnxTypes';
import { GraphIndex, isDefaultDomain } from './graphIndex';

/** How far back inference looks before giving up (keeps recursion shallow on long chains). */
const maxDepth = 48;

const sameRankOps = [
  'Softmax', 'Dropout', 'Cast', 'Identity', 'Erf', 'Sqrt', 'Relu', 'Sigmoid', 'Tanh', 'Neg', 'Exp', 'Log',
  'LayerNormalization', 'Reciprocal', 'Abs',
];
const broadcastOps = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Less', 'Greater', 'And', 'Or', 'Max', 'Min'];

/** Computes and remembers ranks of the tensors of one graph. */
export class RankInference {
  private readonly known = new Map<string, number | undefined>();

  constructor(private readonly index: GraphIndex) {
    const { inputs, outputs, valueInfo } = index.graph;
    for (const info of [...inputs, ...outputs, ...valueInfo]) if (info.shape) this.known.set(info.name, info.shape.length);
  }

  /** The rank of `tensor`, or undefined when it cannot be told from the graph's structure. */
  rank(tensor: string, depth = 0): number | undefined {
    if (this.known.has(tensor)) return this.known.get(tensor);
    const value = depth > maxDepth ? undefined : this.compute(tensor, depth + 1);
    this.known.set(tensor, value);
    return value;
  }

  private compute(tensor: string, depth: number): number | undefined {
    const dims = this.index.constantDims(tensor);
    if (dims) return dims.length;
    const node = this.index.producerOf(tensor);
    if (!node) return undefined;
    const rankOf = (i: number) => (node.inputs[i] ? this.rank(node.inputs[i], depth) : undefined);
    if (node.opType === 'FusedMatMul' || node.opType === 'MatMul') {
      const [a, b] = [rankOf(0), rankOf(1)];
      if (a === undefined || b === undefined) return undefined;
      return a === 1 ? b - 1 : b === 1 ? a - 1 : Math.max(a, b);
    }
    if (!isDefaultDomain(node.domain) || tensor !== node.outputs[0]) return undefined;
    if (sameRankOps.includes(node.opType)) return rankOf(0);
    if (broadcastOps.includes(node.opType)) {
      const ranks = node.inputs.map((_, i) => rankOf(i));
      return ranks.every((r) => r !== undefined) ? Math.max(...(ranks as number[])) : undefined;
    }
    switch (node.opType) {
      case 'Transpose':
        return findAttribute(node, 'perm')?.ints?.length ?? rankOf(0);
      case 'Reshape':
        return this.length1D(node.inputs[1], depth);
      case 'Unsqueeze':
      case 'Squeeze': {
        const axes = findAttribute(node, 'axes')?.ints ?? (node.inputs[1] ? this.index.constantValues(node.inputs[1]) : undefined);
        const r = rankOf(0);
        if (r === undefined || axes === undefined) return undefined;
        return node.opType === 'Unsqueeze' ? r + axes.length : r - axes.length;
      }
      case 'Gather': {
        const [data, indices] = [rankOf(0), rankOf(1)];
        return data === undefined || indices === undefined ? undefined : data - 1 + indices;
      }
      case 'Shape':
        return 1;
      case 'Concat':
        return node.inputs.map((_, i) => rankOf(i)).find((r) => r !== undefined);
      case 'Flatten':
        return 2;
      default:
        return undefined;
    }
  }

  /** The element count of a 1-D tensor (a shape), followed through the usual shape-building ops. */
  private length1D(tensor: string | undefined, depth: number): number | undefined {
    if (!tensor || depth > maxDepth) return undefined;
    const values = this.index.constantValues(tensor);
    if (values) return values.length;
    const node = this.index.producerOf(tensor);
    if (!node) return undefined;
    switch (node.opType) {
      case 'Concat': {
        const parts = node.inputs.map((t) => this.length1D(t, depth + 1));
        return parts.every((p) => p !== undefined) ? parts.reduce((a: number, b) => a + (b as number), 0) : undefined;
      }
      case 'Unsqueeze':
        return this.rank(node.inputs[0], depth) === 0 ? 1 : undefined;
      case 'Cast':
      case 'Identity':
        return this.length1D(node.inputs[0], depth + 1);
      case 'Shape': {
        const r = this.rank(node.inputs[0], depth);
        if (r === undefined) return undefined;
        const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
        const start = findAttribute(node, 'start')?.i ?? 0;
        const end = findAttribute(node, 'end')?.i ?? r;
        return Math.max(0, clamp(end) - clamp(start));
      }
      default:
        return undefined;
    }
  }
}
