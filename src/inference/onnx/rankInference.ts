/**
 * Tensor ranks without full shape inference. Exports often carry no value_info, yet an opset < 13 Softmax
 * says "axis = 2" and we must know whether that is the last axis; the rank usually follows from a few
 * nearby nodes (a Transpose's perm, a Reshape's shape tensor, a MatMul's operands).
 */
import { findAttribute, type OnnxNode } from './onnxTypes';
import { GraphIndex, isDefaultDomain } from './graphIndex';

const sameRankOps = [
  'Softmax', 'Dropout', 'Cast', 'Identity', 'Erf', 'Sqrt', 'Relu', 'Sigmoid', 'Tanh', 'Neg', 'Exp', 'Log',
  'LayerNormalization', 'Reciprocal', 'Abs',
];
const broadcastOps = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Where', 'Equal', 'Less', 'Greater', 'And', 'Or', 'Max', 'Min'];

/** A question about a tensor: its rank, or the element count of a 1-D tensor (a shape). */
type Question = 'rank' | 'length';

/** Marks an answer that needs other answers first (null, so that comparisons narrow the type). */
const pending = null;
type Ask = (question: Question, tensor: string | undefined) => number | undefined | typeof pending;

/**
 * Computes and remembers ranks of the tensors of one graph. Questions are answered with an explicit stack
 * (an answer that needs others pushes them and is asked again once they are known), so a chain of any
 * length is followed to its end without recursion; a cycle gives no rank.
 */
export class RankInference {
  private readonly known = new Map<string, number | undefined>();

  constructor(private readonly index: GraphIndex) {
    const { inputs, outputs, valueInfo } = index.graph;
    for (const list of [inputs, outputs, valueInfo]) for (const info of list) if (info.shape) this.known.set(key('rank', info.name), info.shape.length);
  }

  /** The rank of `tensor`, or undefined when it cannot be told from the graph's structure. */
  rank(tensor: string): number | undefined {
    return this.answer('rank', tensor);
  }

  private answer(question: Question, tensor: string): number | undefined {
    const first = key(question, tensor);
    const stack: [Question, string][] = [[question, tensor]];
    const asked = new Set<string>();
    while (stack.length > 0) {
      const [q, t] = stack[stack.length - 1];
      const k = key(q, t);
      if (this.known.has(k)) {
        stack.pop();
        continue;
      }
      const needed: [Question, string][] = [];
      asked.add(k);
      // A question asked but not answered yet is below on the stack, waiting for this one: a cycle, no rank.
      const ask: Ask = (q2, t2) => {
        if (!t2) return undefined;
        const k2 = key(q2, t2);
        if (this.known.has(k2)) return this.known.get(k2);
        if (asked.has(k2)) return undefined;
        needed.push([q2, t2]);
        return pending;
      };
      const value = q === 'rank' ? this.computeRank(t, ask) : this.computeLength(t, ask);
      if (needed.length === 0) {
        this.known.set(k, value === pending ? undefined : value);
        stack.pop();
      } else {
        for (let i = needed.length - 1; i >= 0; i--) stack.push(needed[i]);
      }
    }
    return this.known.get(first);
  }

  /** The rank of `tensor` from its producer, or `pending` while `ask` lacks an answer it needs. */
  private computeRank(tensor: string, ask: Ask): number | undefined | typeof pending {
    const dims = this.index.constantDims(tensor);
    if (dims) return dims.length;
    const node = this.index.producerOf(tensor);
    if (!node) return undefined;
    const rankOf = (i: number) => ask('rank', node.inputs[i]);
    if (node.opType === 'FusedMatMul' || node.opType === 'MatMul') {
      const [a, b] = [rankOf(0), rankOf(1)];
      if (a === pending || b === pending) return pending;
      if (a === undefined || b === undefined) return undefined;
      return a === 1 ? b - 1 : b === 1 ? a - 1 : Math.max(a, b);
    }
    if (!isDefaultDomain(node.domain) || tensor !== node.outputs[0]) return undefined;
    if (sameRankOps.includes(node.opType)) return rankOf(0);
    if (broadcastOps.includes(node.opType)) return largest(node.inputs.map((_, i) => rankOf(i)));
    switch (node.opType) {
      case 'Transpose':
        return findAttribute(node, 'perm')?.ints?.length ?? rankOf(0);
      case 'Reshape':
        return ask('length', node.inputs[1]);
      case 'Unsqueeze':
      case 'Squeeze': {
        const axes = findAttribute(node, 'axes')?.ints ?? (node.inputs[1] ? this.index.constantValues(node.inputs[1]) : undefined);
        if (axes === undefined) return undefined;
        const r = rankOf(0);
        if (r === pending || r === undefined) return r;
        return node.opType === 'Unsqueeze' ? r + axes.length : r - axes.length;
      }
      case 'Gather': {
        const [data, indices] = [rankOf(0), rankOf(1)];
        if (data === pending || indices === pending) return pending;
        return data === undefined || indices === undefined ? undefined : data - 1 + indices;
      }
      case 'Shape':
        return 1;
      case 'Concat':
        return firstKnown(node.inputs.map((_, i) => rankOf(i)));
      case 'Flatten':
        return 2;
      default:
        return undefined;
    }
  }

  /** The element count of a 1-D tensor (a shape), followed through the usual shape-building ops. */
  private computeLength(tensor: string, ask: Ask): number | undefined | typeof pending {
    const values = this.index.constantValues(tensor);
    if (values) return values.length;
    const node: OnnxNode | undefined = this.index.producerOf(tensor);
    if (!node) return undefined;
    switch (node.opType) {
      case 'Concat': {
        // Every part is asked before any is waited for, so a wide Concat is asked again once, not once per part.
        const parts = node.inputs.map((input) => ask('length', input));
        if (parts.includes(pending)) return pending;
        let total = 0;
        for (const part of parts) {
          if (part === undefined) return undefined;
          total += part as number;
        }
        return total;
      }
      case 'Unsqueeze': {
        const r = ask('rank', node.inputs[0]);
        return r === pending ? pending : r === 0 ? 1 : undefined;
      }
      case 'Cast':
      case 'Identity':
        return ask('length', node.inputs[0]);
      case 'Shape': {
        const r = ask('rank', node.inputs[0]);
        if (r === pending || r === undefined) return r;
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

function key(question: Question, tensor: string): string {
  return `${question === 'rank' ? 'r' : 'n'}:${tensor}`;
}

/** The largest rank, undefined if one is unknown; a loop, not Math.max(...), which overflows for 200,000 inputs. */
function largest(ranks: (number | undefined | typeof pending)[]): number | undefined | typeof pending {
  if (ranks.includes(pending)) return pending;
  let max = -Infinity;
  for (const r of ranks) {
    if (r === undefined) return undefined;
    if ((r as number) > max) max = r as number;
  }
  return ranks.length === 0 ? -Infinity : max;
}

/** The first known rank, once none is pending (the answer must not depend on the order questions arrive in). */
function firstKnown(ranks: (number | undefined | typeof pending)[]): number | undefined | typeof pending {
  if (ranks.includes(pending)) return pending;
  return ranks.find((r) => r !== undefined) as number | undefined;
}
