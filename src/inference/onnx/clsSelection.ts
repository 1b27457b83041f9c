/**
 * Recognises how a vision tower picks its CLS token out of the hidden state: `hidden[:, 0, :]` exported
 * as Gather(axis 1, index 0), or as Slice(axis 1, 0:1) optionally followed by Squeeze(axis 1).
 */
import { findAttribute, intAttribute, type OnnxNode } from './onnxTypes';
import { GraphIndex, isOp } from './graphIndex';

/** One CLS selection: `output` = hidden[:, 0, :] (rank 2) or hidden[:, 0:1, :] (rank 3). */
export interface ClsSelection {
  /** The tensor the selection reads: the hidden state or an Identity alias of it. */
  hidden: string;
  output: string;
  /** Rank of `output`. */
  rank: number;
}

/** Float element types (float, float16, double, bfloat16): a Cast between them keeps the values. */
const FLOAT_TYPES = new Set([1, 10, 11, 16]);

/** An Identity, or a Cast from one float type to another (a float16 graph casts its outputs to float32). */
function isAlias(node: OnnxNode | undefined): node is OnnxNode {
  return isOp(node, 'Identity') || (isOp(node, 'Cast') && FLOAT_TYPES.has(intAttribute(node, 'to', 0)));
}

/**
 * The tensor behind a chain of aliases: Identity nodes (an export may alias a graph output that way) and the
 * float Casts a float16 export puts before its float32 outputs.
 */
function canonicalTensor(index: GraphIndex, tensor: string): string {
  const seen = new Set<string>();
  let current = tensor;
  for (let node = index.producerOf(current); isAlias(node) && !seen.has(current); node = index.producerOf(current)) {
    seen.add(current);
    current = node.inputs[0];
  }
  return current;
}

/** `tensor` and every tensor that a chain of Identity nodes copies it to. */
function identityAliases(index: GraphIndex, tensor: string): Set<string> {
  const aliases = new Set([tensor]);
  const stack = [tensor];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const node of index.consumersOf(current)) {
      const out = node.outputs[0];
      if (isOp(node, 'Identity') && node.inputs[0] === current && out && !aliases.has(out) && index.producerOf(out) === node) {
        aliases.add(out);
        stack.push(out);
      }
    }
  }
  return aliases;
}

/**
 * Every CLS selection that reads `hidden` (or a tensor equal to it), in topological order. The tensors equal
 * to `hidden` are found once, forward from the tensor behind its Identity chain: following each node's
 * input back through the chain cost the chain's length per node, minutes for a chain of 60,000.
 */
export function findClsSelections(index: GraphIndex, hidden: string): ClsSelection[] {
  const same = identityAliases(index, canonicalTensor(index, hidden));
  const found: ClsSelection[] = [];
  for (const node of index.order) {
    const data = node.inputs[0];
    if (!data || !same.has(data)) continue;
    if (isOp(node, 'Gather') && isTokenAxis(intAttribute(node, 'axis', 0)) && sameValues(index.constantValues(node.inputs[1]), [0])) {
      const indexRank = index.constantDims(node.inputs[1])?.length ?? 0;
      found.push({ hidden: data, output: node.outputs[0], rank: indexRank === 0 ? 2 : 3 });
    } else if (isOp(node, 'Slice') && slicesFirstToken(index, node)) {
      const squeeze = index.consumersOf(node.outputs[0]).find((c) => isOp(c, 'Squeeze') && squeezesTokenAxis(index, c));
      found.push(squeeze
        ? { hidden: data, output: squeeze.outputs[0], rank: 2 }
        : { hidden: data, output: node.outputs[0], rank: 3 });
    }
  }
  return found;
}

/** Axis 1 of a [batch, tokens, width] tensor. */
function isTokenAxis(axis: number | undefined): boolean {
  return axis === 1 || axis === -2;
}

function sameValues(values: number[] | undefined, expected: number[]): boolean {
  return values !== undefined && values.length === expected.length && values.every((v, i) => v === expected[i]);
}

/** Slice-1 keeps starts/ends/axes in attributes, Slice-10 and later in inputs 1..4. */
function slicesFirstToken(index: GraphIndex, node: OnnxNode): boolean {
  const param = (name: string, input: number) =>
    findAttribute(node, name)?.ints ?? (node.inputs[input] ? index.constantValues(node.inputs[input]) : undefined);
  const axes = param('axes', 3);
  const steps = param('steps', 4) ?? [1];
  return axes?.length === 1 && isTokenAxis(axes[0]) && sameValues(param('starts', 1), [0])
    && sameValues(param('ends', 2), [1]) && sameValues(steps, [1]);
}

function squeezesTokenAxis(index: GraphIndex, node: OnnxNode): boolean {
  const axes = findAttribute(node, 'axes')?.ints ?? (node.inputs[1] ? index.constantValues(node.inputs[1]) : undefined);
  return axes?.length === 1 && isTokenAxis(axes[0]);
}
