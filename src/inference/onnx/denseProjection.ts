/**
 * Patch embeddings in the joint image-text space. A CLIP-style vision tower computes
 * image_embeds = projection(final_norm(hidden[:, 0, :])); applying the same norm and projection to every
 * token of the hidden state gives one joint-space vector per patch. We find the nodes between the CLS
 * selection and the embeds output (the projection head), and clone them onto any [batch, tokens, width]
 * tensor (the hidden state here, the last layer's value path in ./valuePath), reusing the model's own weights.
 */
import {
  DataType, findAttribute, floatAttribute, intAttribute, intsAttr, tensorAttr, type NodeSpec, type OnnxAttribute,
  type OnnxGraph, type OnnxNode, type OnnxTensor,
} from './onnxTypes';
import { GraphIndex, isDefaultDomain } from './graphIndex';
import { findClsSelections, type ClsSelection } from './clsSelection';
import { ancestorsOf, descendantsOf, FreshNames } from './graphWalk';

/** Nodes to append and the tensor they produce: [batch, tokens, projectionDim]. */
export interface DenseProjectionPlan {
  nodes: NodeSpec[];
  /** The requested output name, suffixed if the model already uses it. */
  output: string;
  /** The hidden-state tensor the cloned nodes read. */
  hiddenState: string;
}

/** A plan, or why none could be made (the caller says so and goes on without dense embeddings). */
export type DenseProjectionResult = { plan: DenseProjectionPlan; reason?: undefined } | { plan: undefined; reason: string };

/** The projection head, or why the graph has none that can be applied per token. */
export type ProjectionHeadResult = { head: ProjectionHead; reason?: undefined } | { head: undefined; reason: string };

/**
 * Ops a norm + projection head may be made of; anything else means the head is not row-wise. ReduceL2 is the
 * L2 normalisation a one-graph export applies to image_embeds (the cosine of the patch maps does not see it).
 */
const headOps = new Set(['LayerNormalization', 'ReduceMean', 'ReduceL2', 'Sub', 'Pow', 'Sqrt', 'Div', 'Mul', 'Add', 'MatMul', 'Gemm', 'Identity', 'Cast', 'Reciprocal']);
/**
 * onnxruntime's weight-only quantized MatMuls (transformers.js's `_q4` and `_bnb4` files): the weight is 4-bit,
 * the input is not quantized, so each row's product depends on that row alone, as a MatMul's. (The dynamic int8
 * head quantizes its input with one scale for the whole tensor, so it is not row-wise and stays refused.)
 */
const weightOnlyMatMuls = new Set(['MatMulNBits', 'MatMulBnb4']);

function isHeadOp(node: OnnxNode): boolean {
  if (node.domain === 'com.microsoft' && weightOnlyMatMuls.has(node.opType)) return true;
  return headOps.has(node.opType) && (isDefaultDomain(node.domain) || node.opType === 'LayerNormalization');
}

/** A vision tower's norm + projection head, ready to be cloned onto other tensors. */
export class ProjectionHead {
  /** @internal made by findProjectionHead */
  constructor(
    private readonly index: GraphIndex,
    private readonly selection: ClsSelection,
    private readonly nodes: OnnxNode[],
    private readonly embedsOutput: string,
  ) {}

  /** The hidden-state tensor the CLS token is selected from. */
  get hiddenState(): string {
    return this.selection.hidden;
  }

  /**
   * Nodes that apply the head to every token of `input` ([batch, tokens, width]); the result is named
   * `outputName` (suffixed when taken), intermediate tensors `prefix/...`.
   */
  applyTo(input: string, outputName: string, names: FreshNames, prefix: string): { nodes: NodeSpec[]; output: string } {
    const cloner = new HeadCloner(this.index, this.selection, names, input, prefix);
    const nodes = this.nodes.flatMap((n) => cloner.clone(n, this.embedsOutput, outputName));
    return { nodes, output: cloner.nameOf(this.embedsOutput) };
  }
}

/** Finds the path from the CLS selection of `hiddenOutput` to `embedsOutput` and checks it works per token. */
export function findProjectionHead(graph: OnnxGraph, embedsOutput: string, hiddenOutput: string): ProjectionHeadResult {
  const index = new GraphIndex(graph);
  if (!index.producerOf(embedsOutput)) return miss(`no node produces ${embedsOutput}`);
  const ancestors = ancestorsOf(index, embedsOutput);
  const selection = findClsSelections(index, hiddenOutput).find((s) => ancestors.has(index.producerOf(s.output)!));
  if (!selection) return miss(`no CLS selection (hidden[:, 0, :]) of ${hiddenOutput} leads to ${embedsOutput}`);
  const descendants = descendantsOf(index, selection.output);
  const nodes = index.order.filter((n) => ancestors.has(n) && descendants.has(n));
  if (nodes.length === 0) return miss(`${embedsOutput} is the CLS token itself, with no projection to apply`);
  const foreign = nodes.find((n) => !isHeadOp(n));
  if (foreign) return miss(`the path from the CLS token to ${embedsOutput} contains ${foreign.opType} (${foreign.name}), not a norm or projection`);
  const head = new ProjectionHead(index, selection, nodes, embedsOutput);
  try {
    // A trial clone finds what does not carry over from one token to all (an axis across the batch, ...).
    head.applyTo(selection.hidden, 'trial', new FreshNames(graph), 'trial');
  } catch (e) {
    if (e instanceof NotRowWise) return miss(e.message);
    throw e;
  }
  return { head };
}

/**
 * The hidden state behind `embedsOutput` when the graph does not output it (a one-graph export's vision tower):
 * the tensor whose CLS token (hidden[:, 0, :]) the path to `embedsOutput` selects, or undefined when none does.
 */
export function findHiddenState(graph: OnnxGraph, embedsOutput: string): string | undefined {
  const index = new GraphIndex(graph);
  const ancestors = ancestorsOf(index, embedsOutput);
  const candidates = index.order.filter((n) => ancestors.has(n) && isDefaultDomain(n.domain) && (n.opType === 'Gather' || n.opType === 'Slice'));
  for (const node of candidates.reverse()) {
    if (findClsSelections(index, node.inputs[0]).some((s) => ancestors.has(index.producerOf(s.output)!))) return node.inputs[0];
  }
  return undefined;
}

/**
 * Plans nodes that compute the projection of every token of `hiddenOutput`, cloning the path from the CLS
 * selection to `embedsOutput`. Gemm (2-D only) becomes MatMul + Add; axes are rewritten to count from the
 * back so they keep meaning the width axis on [batch, tokens, width].
 */
export function planDenseProjection(
  graph: OnnxGraph, embedsOutput: string, hiddenOutput: string, outputName = 'mmlens_dense_embeds',
): DenseProjectionResult {
  const { head, reason } = findProjectionHead(graph, embedsOutput, hiddenOutput);
  if (!head) return { plan: undefined, reason };
  const { nodes, output } = head.applyTo(head.hiddenState, outputName, new FreshNames(graph), 'mmlens_dense');
  return { plan: { nodes, output, hiddenState: head.hiddenState } };
}

function miss(reason: string): { head: undefined; reason: string } {
  return { head: undefined, reason };
}

class NotRowWise extends Error {}

/** Clones head nodes with renamed tensors, rewriting what does not carry over from [b, w] to [b, t, w]. */
class HeadCloner {
  private readonly renamed = new Map<string, string>();

  constructor(
    private readonly index: GraphIndex,
    private readonly selection: ClsSelection,
    private readonly names: FreshNames,
    input: string,
    private readonly prefix: string,
  ) {
    this.renamed.set(selection.output, input);
  }

  /** The clone's name for an original tensor. */
  nameOf(tensor: string): string {
    return this.renamed.get(tensor) ?? tensor;
  }

  /** The clone of one head node (several nodes for a Gemm); `embeds` is renamed to `finalName`. */
  clone(node: OnnxNode, embeds: string, finalName: string): NodeSpec[] {
    const inputs = node.inputs.map((t) => this.nameOf(t));
    const outputs = node.outputs.map((t) => {
      const name = this.fresh(t === embeds ? finalName : `${this.prefix}/${t}`);
      if (t) this.renamed.set(t, name);
      return t ? name : '';
    });
    const name = this.fresh(`${this.prefix}/${node.name || node.opType}`);
    switch (node.opType) {
      case 'Gemm':
        return this.gemm(node, inputs, outputs[0], name);
      case 'LayerNormalization':
        return [{ ...node, name, inputs, outputs, attributes: node.attributes.map((a) => this.axisAttribute(a, 'axis')) }];
      case 'ReduceMean':
      case 'ReduceL2':
        return this.reduce(node, inputs, outputs, name);
      default:
        return [{ ...node, name, inputs, outputs }];
    }
  }

  /** An axis of the selected [b, w] (or [b, 1, w]) tensor, counted from the back instead. */
  private axis(axis: number): number {
    const rank = this.selection.rank;
    const positive = axis < 0 ? axis + rank : axis;
    if (positive <= 0 || positive >= rank) throw new NotRowWise(`an op on the CLS token reduces over axis ${axis}, across the batch`);
    return positive - rank;
  }

  private axisAttribute(a: OnnxAttribute, name: string): OnnxAttribute {
    return a.name === name && a.i !== undefined ? { ...a, i: this.axis(a.i) } : a;
  }

  private reduce(node: OnnxNode, inputs: string[], outputs: string[], name: string): NodeSpec[] {
    const listed = findAttribute(node, 'axes')?.ints;
    if (listed) {
      const attributes = node.attributes.map((a) => (a.name === 'axes' ? { ...a, ints: listed.map((x) => this.axis(x)) } : a));
      return [{ ...node, name, inputs, outputs, attributes }];
    }
    const given = inputs[1] ? this.index.constantValues(inputs[1]) : undefined;
    if (!given) throw new NotRowWise(`${node.opType} ${node.name} has no constant axes`);
    const axes = this.constant(`${name}/axes`, { name: '', dims: [given.length], dataType: DataType.INT64, int64Data: given.map((x) => this.axis(x)) });
    return [axes.node, { ...node, name, inputs: [inputs[0], axes.output], outputs }];
  }

  /** Gemm needs 2-D operands; MatMul broadcasts over the token axis. Y = alpha * A B' + beta * C. */
  private gemm(node: OnnxNode, [a, b, c]: string[], output: string, name: string): NodeSpec[] {
    if (intAttribute(node, 'transA', 0) !== 0) throw new NotRowWise(`Gemm ${node.name} transposes its input`);
    const nodes: NodeSpec[] = [];
    let weight = b;
    if (intAttribute(node, 'transB', 0) !== 0) {
      weight = this.fresh(`${name}/weight_t`);
      nodes.push({ opType: 'Transpose', name: weight, inputs: [b], outputs: [weight], attributes: [intsAttr('perm', [1, 0])] });
    }
    const alpha = floatAttribute(node, 'alpha', 1);
    const beta = floatAttribute(node, 'beta', 1);
    const product = c || alpha !== 1 ? this.fresh(`${name}/product`) : output;
    nodes.push({ opType: 'MatMul', name: `${name}/matmul`, inputs: [a, weight], outputs: [product] });
    const scaled = this.scale(nodes, product, alpha, c ? this.fresh(`${name}/scaled`) : output, `${name}/alpha`);
    if (c) {
      const bias = this.scale(nodes, c, beta, this.fresh(`${name}/bias`), `${name}/beta`);
      nodes.push({ opType: 'Add', name: `${name}/add`, inputs: [scaled, bias], outputs: [output] });
    }
    return nodes;
  }

  /** `tensor` times a float scalar, or `tensor` itself when the factor is 1. */
  private scale(nodes: NodeSpec[], tensor: string, factor: number, output: string, name: string): string {
    if (factor === 1) return tensor;
    const k = this.constant(`${name}/value`, { name: '', dims: [], dataType: DataType.FLOAT, floatData: [factor] });
    nodes.push(k.node, { opType: 'Mul', name, inputs: [tensor, k.output], outputs: [output] });
    return output;
  }

  private constant(base: string, value: OnnxTensor): { node: NodeSpec; output: string } {
    const output = this.fresh(base);
    return { node: { opType: 'Constant', name: output, inputs: [], outputs: [output], attributes: [tensorAttr('value', value)] }, output };
  }

  private fresh(base: string): string {
    return this.names.fresh(base);
  }
}
