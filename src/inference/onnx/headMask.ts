/**
 * Head masking as Michel, Levy & Neubig 2019 ("Are Sixteen Heads Really Better than One?") define it: each head's
 * output, its attention-weighted values (softmax(QK^T) V for that head), is multiplied by a mask ξ_h ∈ {0, 1}
 * before the heads are merged and projected by the output projection (the authors' modeling.py multiplies the
 * per-head context by head_mask). The probabilities are not renormalised; the output projection's bias stays.
 *
 * In the graph: a new input `[layers, heads]` (float32), whose row i multiplies the per-head context of the i-th
 * masked layer. The context is [batch, heads, queries, headDim] or, in older exports, [batch*heads, queries,
 * headDim] (batch-major); either is viewed as [-1, heads, queries, headDim] for the product. The original nodes
 * stay untouched: everything from the first masked context down to the tensors asked for is cloned
 * (./nodeCloner.ts) and reads the masked contexts, so one session returns the model's own outputs and the
 * masked ones, and serves every mask by its feed.
 */
import { GraphIndex } from './graphIndex';
import { descendantsOf, FreshNames } from './graphWalk';
import { NodeCloner } from './nodeCloner';
import { DataType, intAttr, tensorAttr, type NodeSpec, type OnnxGraph, type OnnxValueInfo } from './onnxTypes';
import type { AttentionTap } from './taps';
import { valuesMatMul } from './valuePath';

/** The nodes and the input to append, and the name each asked-for tensor has in the masked copy. */
export interface HeadMaskPlan {
  /** The mask input, float32 [layers, heads]: row i belongs to the i-th tap given. */
  input: OnnxValueInfo;
  nodes: NodeSpec[];
  /** For each tensor asked for, the tensor computed from the masked heads (the same name when no mask reaches it). */
  outputs: Record<string, string>;
}

/** A plan, or why the graph does not allow one. */
export type HeadMaskResult = { plan: HeadMaskPlan; reason?: undefined } | { plan: undefined; reason: string };

/** The largest index a Slice may run to (the end of the axis). */
const sliceEnd = Number.MAX_SAFE_INTEGER;

/**
 * Plans a head mask over `taps` (the attention layers to mask, in any order) that `targets` are recomputed
 * under. `half`: the graph computes in float16, so the mask is cast to it. Each tap's probabilities must reach
 * their values through a plain MatMul (as ./valuePath.ts finds it).
 */
export function planHeadMask(graph: OnnxGraph, taps: readonly AttentionTap[], targets: readonly string[], half: boolean, inputName = 'mmlens_head_mask'): HeadMaskResult {
  if (taps.length === 0) return { plan: undefined, reason: 'no attention layer to mask' };
  const index = new GraphIndex(graph);
  const contexts = new Map<string, number>();
  for (const [row, tap] of taps.entries()) {
    const matmul = valuesMatMul(index, tap.tensor);
    if (!matmul) return { plan: undefined, reason: `the probabilities of ${tap.nodeName} do not reach the values through a plain MatMul, so the heads' outputs cannot be told apart` };
    contexts.set(matmul.outputs[0], row);
  }
  const names = new FreshNames(graph);
  const input = names.fresh(inputName);
  const masker = new ContextMasker(names, input, half);
  const cloner = new NodeCloner(names, 'mmlens_head_mask');
  const downstream = new Set([...contexts.keys()].flatMap((context) => [...descendantsOf(index, context)]));
  const needed = index.ancestorsOf(targets);
  const nodes: NodeSpec[] = [...masker.prelude];
  const maskContext = (context: string, row: number) => {
    const masked = masker.mask(cloner.nameOf(context), row);
    nodes.push(...masked.nodes);
    cloner.replace(context, masked.output);
  };
  // A context no other masked layer feeds is masked where the original computes it; the others in their clones.
  for (const [context, row] of contexts) if (!downstream.has(index.producerOf(context)!)) maskContext(context, row);
  for (const node of index.order) {
    if (!downstream.has(node) || !needed.has(node)) continue;
    nodes.push(...cloner.node(node));
    const row = contexts.get(node.outputs[0]);
    if (row !== undefined) maskContext(node.outputs[0], row);
  }
  const outputs = Object.fromEntries(targets.map((t) => [t, cloner.nameOf(t)]));
  return { plan: { input: { name: input, elemType: DataType.FLOAT, shape: [taps.length, 'heads'] }, nodes, outputs } };
}

/** Writes the nodes that multiply one context by one row of the mask input. */
class ContextMasker {
  /** Nodes every row reads: the mask in the graph's precision and the constants. */
  readonly prelude: NodeSpec[] = [];
  private readonly weights: string;
  private readonly rowShape: string;
  private readonly minusOne: string;
  private readonly tailStart: string;
  private readonly tailEnd: string;

  constructor(private readonly names: FreshNames, input: string, half: boolean) {
    this.weights = half ? this.cast(input) : input;
    this.rowShape = this.constant('row_shape', [1, -1, 1, 1]);
    this.minusOne = this.constant('minus_one', [-1]);
    this.tailStart = this.constant('tail_start', [-2]);
    this.tailEnd = this.constant('tail_end', [sliceEnd]);
  }

  /** `context` times row `row` of the mask, head by head; the result has the context's shape. */
  mask(context: string, row: number): { nodes: NodeSpec[]; output: string } {
    const nodes: NodeSpec[] = [];
    const add = (opType: string, inputs: string[], base: string, attributes?: NodeSpec['attributes']) => {
      const output = this.names.fresh(`mmlens_head_mask/${base}`);
      nodes.push({ opType, name: this.names.fresh(`${output}_node`), inputs, outputs: [output], ...(attributes && { attributes }) });
      return output;
    };
    const index = this.names.fresh(`mmlens_head_mask/row${row}_index`);
    nodes.push(constantNode(index, [], [row], this.names));
    const weights = add('Gather', [this.weights, index], `row${row}`, [intAttr('axis', 0)]);
    const shape = add('Shape', [context], `row${row}_context_shape`);
    const heads = add('Shape', [weights], `row${row}_heads`);
    const tail = add('Slice', [shape, this.tailStart, this.tailEnd], `row${row}_context_tail`);
    const byHead = add('Concat', [this.minusOne, heads, tail], `row${row}_by_head`, [intAttr('axis', 0)]);
    const viewed = add('Reshape', [context, byHead], `row${row}_context_by_head`);
    const broadcast = add('Reshape', [weights, this.rowShape], `row${row}_broadcast`);
    const product = add('Mul', [viewed, broadcast], `row${row}_masked_by_head`);
    return { nodes, output: add('Reshape', [product, shape], `row${row}_masked`) };
  }

  private constant(base: string, values: number[]): string {
    const name = this.names.fresh(`mmlens_head_mask/${base}`);
    this.prelude.push(constantNode(name, [values.length], values, this.names));
    return name;
  }

  private cast(input: string): string {
    const name = this.names.fresh(`${input}_half`);
    this.prelude.push({ opType: 'Cast', name: this.names.fresh(`${name}_node`), inputs: [input], outputs: [name], attributes: [intAttr('to', DataType.FLOAT16)] });
    return name;
  }
}

/** An int64 Constant node of `dims` holding `values`. */
function constantNode(output: string, dims: number[], values: number[], names: FreshNames): NodeSpec {
  const value = { name: '', dims, dataType: DataType.INT64, int64Data: values };
  return { opType: 'Constant', name: names.fresh(`${output}_node`), inputs: [], outputs: [output], attributes: [tensorAttr('value', value)] };
}
