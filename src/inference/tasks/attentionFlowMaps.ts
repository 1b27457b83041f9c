/**
 * Attention flow maps of an image encoder (`maps.flow`, src/analysis/attention/attentionFlow.ts) with their
 * cost, and the size limit above which a request is refused before any max-flow runs: the work of one image
 * is about (max-flows) x (edges), and its time grows with it (docs/methods.md, "Attention flow", has the
 * measurements behind the limit).
 */
import { attentionFlowRow, attentionFlowSize, type AttentionFlowCost } from '../../analysis/attention/attentionFlow';
import type { RolloutOptions } from '../../analysis/attention/rollout';
import { toNested } from '../../analysis/grid';
import { badInput } from '../../core/errors';
import type { Matrix } from '../../shared/analysisResult';
import type { FlowCost, FlowDetails } from '../../shared/attentionDetails';
import type { PatchGrid } from '../images/patchGrid';
import type { LayerAttention } from '../runtime/tappedGraph';
import { itemAttention } from './analysisParts';

/**
 * Most work (max-flows x edges) one image may take: 1.5e9, about 30 s on two CPU cores (measured 1.2-1.8 s for
 * ViT-B/16's 197 tokens x 12 layers, 7 s for 257 x 24, 94 s for ViT-L/14-336's 577 x 24, which is refused).
 */
export const FLOW_WORK_LIMIT = 1.5e9;

const work = (size: AttentionFlowCost) => size.maxFlows * size.edges;

/** Throws a badInput naming the size when one image's flow would exceed FLOW_WORK_LIMIT, with the start layer that fits. */
function requireFlowSize(layers: number, tokens: number, queries: number, startLayer: number): void {
  const size = attentionFlowSize(layers, tokens, queries, startLayer);
  if (work(size) <= FLOW_WORK_LIMIT) return;
  let fits = startLayer + 1;
  while (fits < layers - 1 && work(attentionFlowSize(layers, tokens, queries, fits)) > FLOW_WORK_LIMIT) fits++;
  const from = queries === 1 ? 'from the CLS token' : `from each of the ${queries} tokens (the model has no CLS token)`;
  throw badInput(
    `Attention flow over ${tokens} tokens x ${layers - startLayer} layers ${from} is ${size.maxFlows} max-flows per image on a graph of ` +
      `${size.nodes} nodes and ${size.edges} edges, ${(work(size) / 1e9).toFixed(1)}e9 edge-solves: above the limit of ${FLOW_WORK_LIMIT / 1e9}e9 (about 30 s an image).`,
    `Flow over the last layers only with --rollout-start ${fits} (the rollout then starts there too), use smaller images, or leave out --flow and use the rollout.`,
  );
}

/**
 * The attention flow of each of `items` (an item of `attention`) over the patches of `grid`: from the CLS token,
 * or without one the mean of every token's flow; with each image's cost. `options` are the rollout's.
 */
export function flowPatchGrids(attention: LayerAttention[], items: number[], grid: PatchGrid, options: RolloutOptions): { maps: Matrix[]; details: FlowDetails } {
  const { heads, queries: tokens } = attention[0];
  const outputs = grid.clsIndex !== undefined ? [grid.clsIndex] : Array.from({ length: tokens }, (_, q) => q);
  requireFlowSize(attention.length, tokens, outputs.length, options.startLayer ?? 0);
  const perImage: FlowCost[] = [];
  const maps = items.map((item) => {
    const start = performance.now();
    const layers = attention.map((layer) => itemAttention(layer, item));
    const mean = new Float32Array(tokens);
    const cost = { nodes: 0, edges: 0, maxFlows: 0 };
    for (const q of outputs) {
      const row = attentionFlowRow(layers, heads, tokens, q, options);
      row.flow.forEach((v, k) => (mean[k] += v / outputs.length));
      cost.nodes = row.cost.nodes;
      cost.edges = Math.max(cost.edges, row.cost.edges);
      cost.maxFlows += row.cost.maxFlows;
    }
    perImage.push({ ...cost, milliseconds: Math.round((performance.now() - start) * 10) / 10 });
    return toNested(mean.subarray(grid.firstPatch, grid.firstPatch + grid.rows * grid.cols), [grid.rows, grid.cols], 'flow');
  });
  return { maps, details: { from: grid.clsIndex !== undefined ? 'cls' : 'meanOfTokens', perImage } };
}
