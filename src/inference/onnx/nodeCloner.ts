/**
 * Cloning a stretch of a graph under fresh names, so that appended nodes can recompute part of it from a changed
 * tensor while the original nodes (and the weights they read) stay as they are: the value path (./valuePath.ts)
 * and the head mask (./headMask.ts) both do this.
 */
import { isDefaultDomain } from './graphIndex';
import type { FreshNames } from './graphWalk';
import type { NodeSpec, OnnxNode } from './onnxTypes';

/** Clones nodes under fresh names, each reading the clones of the tensors cloned before it (and each `[from, to]` of `replaced` as `to`). */
export class NodeCloner {
  private readonly renamed: Map<string, string>;

  constructor(private readonly names: FreshNames, private readonly prefix: string, replaced: Iterable<[string, string]> = []) {
    this.renamed = new Map(replaced);
  }

  /** The clone's name for an original tensor (the tensor itself when nothing cloned it). */
  nameOf(tensor: string): string {
    return this.renamed.get(tensor) ?? tensor;
  }

  /** Makes later clones read `to` wherever the original read `tensor`. */
  replace(tensor: string, to: string): void {
    this.renamed.set(tensor, to);
  }

  /** A copy of `node` reading and writing cloned tensors; none for an Identity, whose output becomes another name for its input. */
  node(node: OnnxNode): NodeSpec[] {
    const inputs = node.inputs.map((t) => this.nameOf(t));
    if (node.opType === 'Identity' && isDefaultDomain(node.domain)) {
      this.renamed.set(node.outputs[0], inputs[0]);
      return [];
    }
    const outputs = node.outputs.map((t) => {
      if (!t) return '';
      const name = this.names.fresh(`${this.prefix}/${t}`);
      this.renamed.set(t, name);
      return name;
    });
    return [{ ...node, name: this.names.fresh(`${this.prefix}/${node.name || node.opType}`), inputs, outputs }];
  }
}
