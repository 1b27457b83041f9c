/**
 * A session of a graph whose attention heads can be masked (onnx/headMask.ts): a copy of the graph with a mask
 * input [layers, heads] and the tensors asked for recomputed under it, opened once and fed a different mask per
 * forward pass. The model's own sessions are not touched; this one is cached under its own key.
 */
import type { Tensor } from 'onnxruntime-node';
import { LensError } from '../../core/errors';
import { planHeadMask } from '../onnx/headMask';
import { loadOrt, type OpenSession, type SessionCache } from './sessions';
import { computesInHalf, TappedGraph } from './tappedGraph';

/** An opened head-masked copy of a graph; `run` feeds one mask. */
export class HeadMaskedGraph {
  private constructor(
    private readonly graph: TappedGraph,
    private readonly session: OpenSession,
    private readonly input: string,
    /** Each tensor asked for, as the masked copy names it. */
    private readonly outputs: Record<string, string>,
    /** How many layers the mask covers (the taps of the graph or tower, in order). */
    readonly layers: number,
  ) {}

  /**
   * Opens a masked copy of `file` (of its tower that `towerInput` reaches, when the graph holds two), masking
   * the attention layers found there (those of `layers`, indices into the taps, when given), with `targets`
   * recomputed. Throws a badInput error naming why the graph allows no mask (fused attention operators, no plain
   * values MatMul).
   */
  static async open(file: string, towerInput: string | undefined, targets: string[], cache: SessionCache, layers?: readonly number[]): Promise<HeadMaskedGraph> {
    const whole = await TappedGraph.load(file);
    const graph = towerInput === undefined ? whole : whole.towerView(towerInput);
    if (graph.taps.length === 0) {
      const why = graph.fusedOperators.length > 0
        ? `its attention is computed inside fused operators (${graph.fusedOperators.join(', ')}), which merge the heads internally, so no head's output can be masked`
        : 'no attention layer was found in it';
      throw new LensError('badInput', `Head ablation is not possible on ${file}: ${why}.`, 'Export the model without fused attention (plain MatMul, Softmax, MatMul per layer), for example without onnxruntime\'s transformer optimizer.');
    }
    const taps = layers ? layers.map((l) => graph.taps[l]) : graph.taps;
    const result = planHeadMask(graph.graph, taps, targets, computesInHalf(graph.graph));
    if (!result.plan) throw new LensError('badInput', `Head ablation is not possible on ${file}: ${result.reason}.`, 'Export the model with plain attention (MatMul, Softmax, MatMul per layer).');
    const { plan } = result;
    graph.add({ inputs: [plan.input], outputs: [...new Set(Object.values(plan.outputs))], nodes: plan.nodes });
    const scope = [towerInput, layers?.join(',')].filter((part) => part !== undefined).join(':');
    const session = await graph.open(cache, `${file}#head-mask${scope ? `:${scope}` : ''}`);
    return new HeadMaskedGraph(graph, session, plan.input.name, plan.outputs, taps.length);
  }

  /**
   * One forward pass with `mask` ([layers, heads], row-major: 1 keeps a head, 0 removes its output) beside
   * `feeds`; returns the targets under their original names.
   */
  async run(feeds: Record<string, Tensor>, mask: Float32Array, heads: number): Promise<Record<string, Tensor>> {
    if (mask.length !== this.layers * heads) throw new LensError('internal', `A head mask of ${mask.length} values was given for ${this.layers} layers x ${heads} heads.`);
    const ort = await loadOrt();
    const names = Object.values(this.outputs);
    const outputs = await this.graph.fetch(this.session, { ...feeds, [this.input]: new ort.Tensor('float32', mask, [this.layers, heads]) }, [...new Set(names)]);
    return Object.fromEntries(Object.entries(this.outputs).map(([target, name]) => [target, outputs[name]]));
  }
}
