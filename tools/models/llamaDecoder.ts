/**
 * A Llama decoder (SmolLM2, LLaVA's text model) written with GraphBuilder in the form transformers.js runs as
 * decoder_model_merged.onnx: inputs_embeds, attention_mask, position_ids and past_key_values.N.key / .value ->
 * logits and present.N.key / .value. RMSNorm, rotary positions in rotate_half form, grouped-query attention and a
 * SiLU-gated MLP, as HF's LlamaModel computes them. The attention is either HF's eager form (keys and values
 * repeated to the query heads, a causal and padding bias added to the scaled scores, an explicit Softmax) or
 * onnxruntime's fused com.microsoft.GroupQueryAttention, which masks the future itself and hides its
 * probabilities; both draw the same weights in the same order, so they compute the same model.
 */
import { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { DataType, floatAttr, intAttr, intsAttr } from '../../src/inference/onnx/onnxTypes';
import { SeededRandom } from './seededRandom';
import { TransformerBuilder } from './transformerBlocks';

/** The decoder's shape (HF's text_config names in the comments). */
export interface LlamaConfig {
  /** hidden_size */
  hidden: number;
  /** num_hidden_layers */
  layers: number;
  /** num_attention_heads (query heads) */
  heads: number;
  /** num_key_value_heads: each serves heads / kvHeads query heads */
  kvHeads: number;
  headDim: number;
  /** intermediate_size of the gated MLP */
  intermediate: number;
  /** vocab_size: rows of the logits */
  vocab: number;
  ropeTheta: number;
  rmsEps: number;
  /** Attention as com.microsoft.GroupQueryAttention instead of the explicit Softmax (same weights). */
  fusedAttention: boolean;
}

/** HF masks with the most negative float32, so masked probabilities are exactly 0. */
const float32Lowest = -3.4028234663852886e38;

/** The decoder graph with seeded weights (`seed` picks the stream). */
export function buildLlamaDecoder(c: LlamaConfig, seed: number): GraphBuilder {
  if (c.heads % c.kvHeads !== 0 || c.headDim % 2 !== 0) throw new Error(`Llama decoder: ${c.heads} query heads over ${c.kvHeads} key/value heads of size ${c.headDim}.`);
  const g = new GraphBuilder({
    name: 'decoder', producerName: 'multimodal-lens synthetic VLM',
    extraOpsets: c.fusedAttention ? [{ domain: 'com.microsoft', version: 1 }] : [],
  });
  return new LlamaGraph(new TransformerBuilder(g, new SeededRandom(seed)), c).build();
}

/** What every layer's attention shares: the rotary tables and the mask, in the form its attention takes. */
interface LayerInputs {
  cos: string;
  sin: string;
  /** The additive [batch, 1, seq, total] bias (explicit attention), or GroupQueryAttention's seqlens_k and total length. */
  mask: string[];
}

class LlamaGraph {
  private readonly g: GraphBuilder;
  private readonly scalars = new Map<number, string>();

  constructor(private readonly t: TransformerBuilder, private readonly c: LlamaConfig) {
    this.g = t.g;
  }

  build(): GraphBuilder {
    const { g, c } = this;
    const embeds = g.input('inputs_embeds', DataType.FLOAT, ['batch_size', 'sequence_length', c.hidden]);
    const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
    const positions = g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']);
    const pasts = Array.from({ length: c.layers }, (_, i) => ['key', 'value'].map((kind) =>
      g.input(`past_key_values.${i}.${kind}`, DataType.FLOAT, ['batch_size', c.kvHeads, 'past_sequence_length', c.headDim])));
    // Explicit attention rotates [b, heads, seq, dim]; the fused operator takes [b, seq, heads, dim].
    const [cos, sin] = this.rotaryTables(positions).map((table) => g.op('Unsqueeze', [table, this.t.int64s([c.fusedAttention ? 2 : 1])]));
    const shared: LayerInputs = { cos, sin, mask: c.fusedAttention ? this.lengths(mask) : [this.additiveMask(embeds, mask)] };
    let x = embeds;
    for (let i = 0; i < c.layers; i++) {
      const p = `model.layers.${i}`;
      x = g.op('Add', [x, this.attention(this.rmsNorm(x, `${p}.input_layernorm`), i, pasts[i], shared)]);
      x = g.op('Add', [x, this.mlp(this.rmsNorm(x, `${p}.post_attention_layernorm`), `${p}.mlp`)]);
    }
    const head = this.t.param('lm_head.weight', [c.hidden, c.vocab], 1 / Math.sqrt(c.hidden));
    g.op('MatMul', [this.rmsNorm(x, 'model.norm'), head], undefined, 'logits');
    g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', c.vocab]);
    for (let i = 0; i < c.layers; i++) {
      for (const kind of ['key', 'value']) g.output(`present.${i}.${kind}`, DataType.FLOAT, ['batch_size', c.kvHeads, 'total_sequence_length', c.headDim]);
    }
    return g;
  }

  /** x / sqrt(mean(x²) + eps) * weight over the last axis. */
  private rmsNorm(x: string, prefix: string): string {
    const { g } = this;
    const weight = this.t.param(`${prefix}.weight`, [this.c.hidden], 0.05, 1);
    const meanSquare = g.op('ReduceMean', [g.op('Pow', [x, this.t.scalar(2)])], [intsAttr('axes', [-1]), intAttr('keepdims', 1)]);
    return g.op('Mul', [g.op('Div', [x, g.op('Sqrt', [g.op('Add', [meanSquare, this.t.scalar(this.c.rmsEps)])])]), weight]);
  }

  /** cos and sin of position * inv_freq, the frequencies repeated over both halves: [b, seq, headDim]. */
  private rotaryTables(positions: string): [string, string] {
    const { g, c } = this;
    const half = c.headDim / 2;
    const inverse = Float32Array.from({ length: half }, (_, i) => 1 / c.ropeTheta ** ((2 * i) / c.headDim));
    const angles = g.op('Mul', [g.op('Unsqueeze', [g.op('Cast', [positions], [intAttr('to', DataType.FLOAT)]), this.t.int64s([2])]), g.floatInitializer('inv_freq', inverse, [half])]);
    const both = g.op('Concat', [angles, angles], [intAttr('axis', -1)]);
    return [g.op('Cos', [both]), g.op('Sin', [both])];
  }

  /** x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] for the halves x1, x2 of the last axis. */
  private rotate(x: string, { cos, sin }: LayerInputs): string {
    const { g } = this;
    const half = this.c.headDim / 2;
    const part = (from: number, to: number) => g.op('Slice', [x, this.t.int64s([from]), this.t.int64s([to]), this.t.int64s([-1])]);
    const rotated = g.op('Concat', [g.op('Neg', [part(half, 2 * half)]), part(0, half)], [intAttr('axis', -1)]);
    return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
  }

  /**
   * The bias HF's eager attention adds to the scores, [b, 1, seq, total]: 0 where query i (at position
   * total - seq + i) may see key j (j at or before it, and not padding), the lowest float elsewhere.
   */
  private additiveMask(embeds: string, mask: string): string {
    const { g } = this;
    const [zero, one] = [this.int64Scalar(0), this.int64Scalar(1)];
    const length = (x: string) => g.op('Gather', [g.op('Shape', [x]), one], [intAttr('axis', 0)]);
    const [seq, total] = [length(embeds), length(mask)];
    const keys = g.op('Range', [zero, total, one]);
    const queries = g.op('Unsqueeze', [g.op('Range', [g.op('Sub', [total, seq]), total, one]), this.t.int64s([1])]);
    const causal = g.op('LessOrEqual', [keys, queries]);
    const present = g.op('Unsqueeze', [g.op('Greater', [mask, zero]), this.t.int64s([1, 2])]);
    return g.op('Where', [g.op('And', [causal, present]), this.t.scalar(0), this.t.scalar(float32Lowest)]);
  }

  /** GroupQueryAttention's seqlens_k (attended keys - 1 per item, int32) and total_sequence_length (int32 scalar). */
  private lengths(mask: string): string[] {
    const { g } = this;
    const int32 = (x: string) => g.op('Cast', [x], [intAttr('to', DataType.INT32)]);
    const keys = g.op('ReduceSum', [mask, this.t.int64s([1])], [intAttr('keepdims', 0)]);
    const total = g.op('Gather', [g.op('Shape', [mask]), this.int64Scalar(1)], [intAttr('axis', 0)]);
    return [int32(g.op('Sub', [keys, this.int64Scalar(1)])), int32(total)];
  }

  private attention(x: string, layer: number, [pastKey, pastValue]: string[], shared: LayerInputs): string {
    const { g, c } = this;
    const p = `model.layers.${layer}.self_attn`;
    const projection = (name: string, out: number) => this.t.param(`${p}.${name}.weight`, [c.hidden, out], 1 / Math.sqrt(c.hidden));
    const [wq, wk, wv] = [projection('q_proj', c.heads * c.headDim), projection('k_proj', c.kvHeads * c.headDim), projection('v_proj', c.kvHeads * c.headDim)];
    const wo = this.t.param(`${p}.o_proj.weight`, [c.heads * c.headDim, c.hidden], 1 / Math.sqrt(c.heads * c.headDim));
    const split = (w: string, heads: number) => g.op('Reshape', [g.op('MatMul', [x, w]), this.t.int64s([0, 0, heads, c.headDim])]);
    const presents = [`present.${layer}.key`, `present.${layer}.value`];
    let context: string;
    if (c.fusedAttention) {
      const flat = (t: string) => g.op('Reshape', [t, this.t.int64s([0, 0, -1])]);
      const [q, k] = [flat(this.rotate(split(wq, c.heads), shared)), flat(this.rotate(split(wk, c.kvHeads), shared))];
      context = g.node('GroupQueryAttention', [q, k, g.op('MatMul', [x, wv]), pastKey, pastValue, ...shared.mask], {
        domain: 'com.microsoft', outputs: [`${p}.context`, ...presents],
        attributes: [intAttr('num_heads', c.heads), intAttr('kv_num_heads', c.kvHeads), floatAttr('scale', 1 / Math.sqrt(c.headDim))],
      })[0];
    } else {
      const heads = (t: string) => g.op('Transpose', [t], [intsAttr('perm', [0, 2, 1, 3])]);
      const q = this.rotate(heads(split(wq, c.heads)), shared);
      const key = g.op('Concat', [pastKey, this.rotate(heads(split(wk, c.kvHeads)), shared)], [intAttr('axis', 2)], presents[0]);
      const value = g.op('Concat', [pastValue, heads(split(wv, c.kvHeads))], [intAttr('axis', 2)], presents[1]);
      const keysT = g.op('Transpose', [this.repeatKv(key)], [intsAttr('perm', [0, 1, 3, 2])]);
      const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, keysT]), this.t.scalar(1 / Math.sqrt(c.headDim))]), shared.mask[0]]);
      const probs = g.op('Softmax', [scores], [intAttr('axis', -1)]);
      const merged = g.op('Transpose', [g.op('MatMul', [probs, this.repeatKv(value)])], [intsAttr('perm', [0, 2, 1, 3])]);
      context = g.op('Reshape', [merged, this.t.int64s([0, 0, c.heads * c.headDim])]);
    }
    return g.op('MatMul', [context, wo]);
  }

  /** HF's repeat_kv: [b, kvHeads, t, d] -> [b, heads, t, d], each key/value head serving a run of query heads. */
  private repeatKv(x: string): string {
    const { g, c } = this;
    const groups = c.heads / c.kvHeads;
    if (groups === 1) return x;
    const expanded = g.op('Expand', [g.op('Unsqueeze', [x, this.t.int64s([2])]), this.t.int64s([1, 1, groups, 1, 1])]);
    return g.op('Reshape', [expanded, this.t.int64s([0, c.heads, -1, c.headDim])]);
  }

  /** down(silu(gate(x)) * up(x)). */
  private mlp(x: string, prefix: string): string {
    const { g, c } = this;
    const weight = (name: string, from: number, to: number) => this.t.param(`${prefix}.${name}.weight`, [from, to], 1 / Math.sqrt(from));
    const [gateW, upW, downW] = [weight('gate_proj', c.hidden, c.intermediate), weight('up_proj', c.hidden, c.intermediate), weight('down_proj', c.intermediate, c.hidden)];
    const gate = g.op('MatMul', [x, gateW]);
    const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
    return g.op('MatMul', [g.op('Mul', [silu, g.op('MatMul', [x, upW])]), downW]);
  }

  private int64Scalar(value: number): string {
    const known = this.scalars.get(value) ?? this.g.int64Initializer('const_i', [value], []);
    this.scalars.set(value, known);
    return known;
  }
}
