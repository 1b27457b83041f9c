/**
 * Walking a graph for surgery: the nodes upstream or downstream of a tensor, and tensor names that the graph
 * does not use yet, so that appended nodes never shadow one of its own tensors.
 */
import type { OnnxGraph, OnnxNode } from './onnxTypes';
import type { GraphIndex } from './graphIndex';

/** Every node that `tensor` depends on, its producer included. */
export function ancestorsOf(index: GraphIndex, tensor: string): Set<OnnxNode> {
  const seen = new Set<OnnxNode>();
  const stack = [tensor];
  while (stack.length > 0) {
    const node = index.producerOf(stack.pop()!);
    if (!node || seen.has(node)) continue;
    seen.add(node);
    stack.push(...node.inputs.filter(Boolean));
  }
  return seen;
}

/** Every node that depends on `tensor`. */
export function descendantsOf(index: GraphIndex, tensor: string): Set<OnnxNode> {
  const seen = new Set<OnnxNode>();
  const stack = [tensor];
  while (stack.length > 0) {
    for (const node of index.consumersOf(stack.pop()!)) {
      if (seen.has(node)) continue;
      seen.add(node);
      stack.push(...node.outputs.filter(Boolean));
    }
  }
  return seen;
}

/** Hands out tensor and node names that neither the graph nor an earlier call has used. */
export class FreshNames {
  private readonly used: Set<string>;

  /** @param graph the graph whose names are taken */
  constructor(graph: OnnxGraph) {
    this.used = new Set(graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs]));
    for (const named of [...graph.inputs, ...graph.outputs, ...graph.initializers]) this.used.add(named.name);
  }

  /** `base`, or `base_1`, `base_2`, ... when taken. */
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }
}
