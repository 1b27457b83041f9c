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

  private topologicalOrder(): OnnxNode[] {
    const done = new Set<OnnxNode>();
    const entered = new Set<OnnxNode>();
    const order: OnnxNode[] = [];
    // Iterative depth-first search over producers, so deep graphs do not exhaust the call stack.
    for (const start of this.graph.nodes) {
      const stack: OnnxNode[] = [start];
      while (stack.length > 0) {
        const node = stack[stack.length - 1];
        if (done.has(node)) {
          stack.pop();
          continue;
        }
        const pending = entered.has(node) ? [] : node.inputs
          .map((t) => this.producers.get(t))
          .filter((p): p is OnnxNode => p !== undefined && !done.has(p) && !entered.has(p));
        entered.add(node);
        if (pending.length > 0) {
          stack.push(...pending.reverse());
          continue;
        }
        stack.pop();
        done.add(node);
        order.push(node);
      }
    }
    return order;
  }
}
