/**
 * Look-ups over a decoded graph that pattern matching needs: who produces and who consumes a tensor, a
 * topological order, the opset in force, and the values of small constants.
 */
import { tensorValues, type OnnxGraph, type OnnxInitializerInfo, type OnnxNode } from './onnxTypes';

/** True for the default ai.onnx domain, however it is spelled. */
export function isDefaultDomain(domain: string | undefined): boolean {
  return !domain || domain === 'ai.onnx';
}

/** True for a default-domain node of one of the given op types. */
export function isOp(node: OnnxNode | undefined, ...opTypes: string[]): node is OnnxNode {
  return node !== undefined && isDefaultDomain(node.domain) && opTypes.includes(node.opType);
}

/** Producer/consumer maps and a topological order of a graph's nodes. */
export class GraphIndex {
  private readonly producers = new Map<string, OnnxNode>();
  private readonly consumers = new Map<string, OnnxNode[]>();
  private readonly initializers = new Map<string, OnnxInitializerInfo>();
  /** The nodes some graph output depends on, found on first use. */
  private live: Set<OnnxNode> | undefined;
  /** The nodes, every producer before its consumers, otherwise in file order. */
  readonly order: OnnxNode[];

  constructor(readonly graph: OnnxGraph) {
    for (const node of graph.nodes) {
      for (const out of node.outputs) if (out) this.producers.set(out, node);
      for (const input of new Set(node.inputs)) {
        if (!input) continue;
        const list = this.consumers.get(input) ?? [];
        list.push(node);
        this.consumers.set(input, list);
      }
    }
    for (const init of graph.initializers) this.initializers.set(init.name, init);
    this.order = this.topologicalOrder();
  }

  /** The version of `domain` the model imports ('' for ai.onnx). */
  opsetVersion(domain = ''): number | undefined {
    return this.graph.opsets.find((o) => (domain === '' ? isDefaultDomain(o.domain) : o.domain === domain))?.version;
  }

  /** The node that writes `tensor`, if a node does (not for inputs and initializers). */
  producerOf(tensor: string): OnnxNode | undefined {
    return this.producers.get(tensor);
  }

  /** The nodes that read `tensor`. */
  consumersOf(tensor: string): OnnxNode[] {
    return this.consumers.get(tensor) ?? [];
  }

  /** The numbers in a small constant tensor (an initializer or a Constant node), if known. */
  constantValues(tensor: string): number[] | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init.values;
    const node = this.producerOf(tensor);
    if (!isOp(node, 'Constant')) return undefined;
    const [attr] = node.attributes;
    if (attr?.t) return tensorValues(attr.t);
    if (attr?.i !== undefined) return [attr.i];
    return attr?.ints ?? attr?.floats ?? (attr?.f !== undefined ? [attr.f] : undefined);
  }

  /** The dims of a constant tensor, when they are known without evaluating anything. */
  constantDims(tensor: string): number[] | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init.dims;
    const node = this.producerOf(tensor);
    if (!isOp(node, 'Constant')) return undefined;
    const [attr] = node.attributes;
    if (attr?.t) return attr.t.dims;
    return attr?.ints || attr?.floats ? [(attr.ints ?? attr.floats ?? []).length] : [];
  }

  /** Every node that one of `tensors` depends on, their producers included. */
  ancestorsOf(tensors: Iterable<string>): Set<OnnxNode> {
    const seen = new Set<OnnxNode>();
    const stack = [...tensors];
    while (stack.length > 0) {
      const node = this.producers.get(stack.pop()!);
      if (!node || seen.has(node)) continue;
      seen.add(node);
      for (const input of node.inputs) if (input) stack.push(input);
    }
    return seen;
  }

  /**
   * True when a graph output depends on `node`. A node that reaches no output computes nothing the model
   * returns (onnxruntime prunes it), so it is not part of what the model does: a Softmax there is no layer.
   */
  reachesOutput(node: OnnxNode): boolean {
    this.live ??= this.ancestorsOf(this.graph.outputs.map((o) => o.name));
    return this.live.has(node);
  }

  private topologicalOrder(): OnnxNode[] {
    const done = new Set<OnnxNode>();
    const entered = new Set<OnnxNode>();
    const order: OnnxNode[] = [];
    // Iterative depth-first search over producers, so deep graphs do not exhaust the call stack. A node's
    // producers are pushed one by one (last input first, so the first input's producer comes out first):
    // spreading them into push() overflowed the stack for a node of 200,000 inputs.
    for (const start of this.graph.nodes) {
      if (done.has(start)) continue;
      const stack: OnnxNode[] = [start];
      while (stack.length > 0) {
        const node = stack[stack.length - 1];
        if (done.has(node)) {
          stack.pop();
          continue;
        }
        if (!entered.has(node)) {
          entered.add(node);
          const below = stack.length;
          for (let i = node.inputs.length - 1; i >= 0; i--) {
            const producer = this.producers.get(node.inputs[i]);
            if (producer && !done.has(producer) && !entered.has(producer)) stack.push(producer);
          }
          if (stack.length > below) continue;
        }
        stack.pop();
        done.add(node);
        order.push(node);
      }
    }
    return order;
  }
}
