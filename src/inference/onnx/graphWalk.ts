/**
 * Walking a graph for surgery: the nodes upstream or downstream of a tensor, and tensor names that the graph
 * does not use yet, so that appended nodes never shadow one of its own tensors. Every walk here and in the
 * other graph tools keeps its own stack (no recursion, no spreading a node's inputs into a call), so a graph
 * of any depth or a node of any width is walked in time and memory linear in its size.
 */
import type { NodeSpec, OnnxGraph, OnnxNode } from './onnxTypes';
import type { GraphIndex } from './graphIndex';

/** Every node that `tensor` depends on, its producer included. */
export function ancestorsOf(index: GraphIndex, tensor: string): Set<OnnxNode> {
  return index.ancestorsOf([tensor]);
}

/** Every node that depends on `tensor`. */
export function descendantsOf(index: GraphIndex, tensor: string): Set<OnnxNode> {
  const seen = new Set<OnnxNode>();
  const stack = [tensor];
  while (stack.length > 0) {
    for (const node of index.consumersOf(stack.pop()!)) {
      if (seen.has(node)) continue;
      seen.add(node);
      for (const out of node.outputs) if (out) stack.push(out);
    }
  }
  return seen;
}

/**
 * A set of names that hands out new ones: `base`, else `base_1`, `base_2`, ... Which suffixes of a base are
 * taken is remembered, so handing out n names of one base costs n look-ups in all, not n² (a graph builder
 * naming 60,000 Identity nodes spent minutes counting up from `identity_1` for each).
 */
export class UniqueNames {
  private readonly used = new Set<string>();
  /** Per base: every `base_k` below this suffix is known to be taken (names are never given back). */
  private readonly nextSuffix = new Map<string, number>();

  /** Marks `name` as taken. */
  add(name: string): void {
    this.used.add(name);
  }

  /** True when `name` is taken. */
  has(name: string): boolean {
    return this.used.has(name);
  }

  /** The first of `base`, `base_1`, `base_2`, ... not taken yet, now taken. */
  take(base: string): string {
    let name = base;
    if (this.used.has(name)) {
      let n = this.nextSuffix.get(base) ?? 1;
      for (name = `${base}_${n}`; this.used.has(name); name = `${base}_${n}`) n++;
      this.nextSuffix.set(base, n + 1);
    }
    this.used.add(name);
    return name;
  }
}

/** Hands out tensor and node names that neither the graph nor an earlier call has used. */
export class FreshNames {
  private readonly names = new UniqueNames();

  /** @param graph the graph whose names are taken; @param added nodes to be appended to it, whose names are taken too */
  constructor(graph: OnnxGraph, added: NodeSpec[] = []) {
    for (const node of [...graph.nodes, ...added]) {
      for (const t of node.inputs) this.names.add(t);
      for (const t of node.outputs) this.names.add(t);
    }
    for (const list of [graph.inputs, graph.outputs, graph.initializers]) for (const named of list) this.names.add(named.name);
  }

  /** `base`, or `base_1`, `base_2`, ... when taken. */
  fresh(base: string): string {
    return this.names.take(base);
  }
}
