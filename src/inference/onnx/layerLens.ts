/**
 * A logit lens for a vision tower (nostalgebraist 2020's idea, as the lens of CLIP's layers): every layer's output
 * tokens through the model's own final norm and projection, so each layer gives image embeddings in the joint
 * space (its CLS token) and patch embeddings (the rest), and a zero-shot ranking and alignment map per layer show
 * at which depth a concept appears. A layer's output is the next layer's input, the residual stream its attention
 * adds to; the last layer's is the hidden state the head reads. The head is cloned onto each (./denseProjection).
 */
import { GraphIndex } from './graphIndex';
import { ancestorsOf, FreshNames } from './graphWalk';
import type { ProjectionHead } from './denseProjection';
import type { AttentionTap } from './taps';
import type { NodeSpec, OnnxGraph } from './onnxTypes';
import { chainToResidual, valuesMatMul } from './valuePath';

/** Nodes to append and, per layer, the tensor of its tokens in the joint space: [batch, tokens, projectionDim]. */
export interface LayerLensPlan {
  nodes: NodeSpec[];
  outputs: string[];
}

/** A plan, or why the graph does not allow one. */
export type LayerLensResult = { plan: LayerLensPlan; reason?: undefined } | { plan: undefined; reason: string };

/**
 * Plans the lens of every attention layer in `taps` (topological order) through `head`. Each layer's input is found
 * where its attention output is added back: the other operand of that residual Add.
 */
export function planLayerLens(graph: OnnxGraph, taps: readonly AttentionTap[], head: ProjectionHead): LayerLensResult {
  if (taps.length === 0) return { plan: undefined, reason: 'the graph shows no attention layers (none found, or fused attention operators hide them)' };
  const index = new GraphIndex(graph);
  const inputs: string[] = [];
  for (const tap of taps) {
    const matmul = valuesMatMul(index, tap.tensor);
    if (!matmul) return { plan: undefined, reason: `the probabilities of ${tap.nodeName} do not reach the values through a plain MatMul` };
    const chain = chainToResidual(index, matmul.outputs[0], ancestorsOf(index, matmul.inputs[1]));
    if (typeof chain === 'string') return { plan: undefined, reason: chain };
    inputs.push(chain.residual.inputs.find((t) => t !== chain.attentionOutput)!);
  }
  const layerOutputs = [...inputs.slice(1), head.hiddenState];
  const toHidden = ancestorsOf(index, head.hiddenState);
  const feedsHidden = (tensor: string) => {
    const producer = index.producerOf(tensor);
    return producer !== undefined && toHidden.has(producer);
  };
  if (!layerOutputs.slice(0, -1).every(feedsHidden)) return { plan: undefined, reason: 'the attention layers do not feed the hidden state the projection head reads' };
  const names = new FreshNames(graph);
  const nodes: NodeSpec[] = [];
  const outputs = layerOutputs.map((tensor, layer) => {
    const applied = head.applyTo(tensor, `mmlens_lens_${layer}`, names, `mmlens_lens_${layer}/head`);
    nodes.push(...applied.nodes);
    return applied.output;
  });
  return { plan: { nodes, outputs } };
}
