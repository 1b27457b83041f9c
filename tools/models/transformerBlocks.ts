/**
 * Pre-norm transformer pieces written with GraphBuilder the way torch exports Hugging Face CLIP:
 * Linear = MatMul + Add, LayerNormalization op, attention with an explicit Softmax (4-D [b,h,q,k] or the
 * older 3-D [b*h,q,k] layout, with the causal mask added between two Reshapes as HF CLIP does, and an
 * optional key padding bias for joint models), or a fused com.microsoft operator that hides the probabilities.
 */
import { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { floatAttr, intAttr, intsAttr } from '../../src/inference/onnx/onnxTypes';
import { SeededRandom } from './seededRandom';

/** How attention is exported. */
export type AttentionLayout = '4d' | '3d';
/** The MLP's activation: OpenAI CLIP's x*sigmoid(1.702x), the exact erf GELU, or SigLIP's tanh approximation of it. */
export type Activation = 'quickGelu' | 'gelu' | 'geluTanh';

/** The shape of one transformer stack. */
export interface StackConfig {
  width: number;
  heads: number;
  layers: number;
  mlpRatio: number;
  layout: AttentionLayout;
  fused: boolean;
  activation: Activation;
  /** Text towers mask future tokens. */
  causal: boolean;
  /** Longest sequence, for the causal mask. */
  maxTokens: number;
}

const layerNormEpsilon = 1e-5;
/** HF CLIP masks with the most negative float32, so masked probabilities are exactly 0. */
const float32Lowest = -3.4028234663852886e38;

/**
 * A GraphBuilder with seeded weights and the blocks of a pre-norm transformer. With `quantized`, every linear
 * layer is written as onnxruntime's `quantize_dynamic` writes it (transformers.js's `_quantized` files): the
 * input quantized to uint8 per tensor at run time, the same seeded weight stored as int8 (symmetric, per
 * tensor), MatMulInteger, then the two scales; the attention products and the rest stay float.
 */
export class TransformerBuilder {
  private readonly scalars = new Map<number, string>();
  private readonly ints = new Map<string, string>();

  constructor(readonly g: GraphBuilder, private readonly random: SeededRandom, private readonly quantized = false) {}

  /** A seeded random float initializer. */
  param(name: string, dims: number[], std: number, mean = 0): string {
    return this.g.floatInitializer(name, this.values(dims, std, mean), dims);
  }

  private values(dims: number[], std: number, mean = 0): Float32Array {
    return this.random.array(dims.reduce((a, b) => a * b, 1), std, mean);
  }

  /**
   * q, k and v projections packed as com.microsoft.Attention wants them ([D, 3D] weight, [3D] bias), drawn
   * in the same order as the separate q_proj/k_proj/v_proj, so fused and unfused towers compute the same.
   */
  private packedQkv(width: number, prefix: string): string[] {
    const weight = new Float32Array(width * 3 * width);
    const bias = new Float32Array(3 * width);
    for (let part = 0; part < 3; part++) {
      const w = this.values([width, width], 1 / Math.sqrt(width));
      for (let row = 0; row < width; row++) weight.set(w.subarray(row * width, (row + 1) * width), row * 3 * width + part * width);
      bias.set(this.values([width], 0.02), part * width);
    }
    return [this.g.floatInitializer(`${prefix}.qkv.weight`, weight, [width, 3 * width]), this.g.floatInitializer(`${prefix}.qkv.bias`, bias, [3 * width])];
  }

  /** A float scalar initializer, shared by value. */
  scalar(value: number): string {
    const known = this.scalars.get(value);
    if (known) return known;
    const name = this.g.floatInitializer('const_f', new Float32Array([value]), []);
    this.scalars.set(value, name);
    return name;
  }

  /** A 1-D int64 initializer, shared by value. */
  int64s(values: number[]): string {
    const key = values.join(',');
    const known = this.ints.get(key);
    if (known) return known;
    const name = this.g.int64Initializer('const_i', values);
    this.ints.set(key, name);
    return name;
  }

  /** x W + b with W stored [in, out], as torch exports nn.Linear (int8 weights when the builder is quantized). */
  linear(x: string, inFeatures: number, outFeatures: number, prefix: string): string {
    const weight = this.values([inFeatures, outFeatures], 1 / Math.sqrt(inFeatures));
    const y = this.quantized ? this.quantizedMatMul(x, weight, [inFeatures, outFeatures], prefix)
      : this.g.op('MatMul', [x, this.g.floatInitializer(`${prefix}.weight`, weight, [inFeatures, outFeatures])]);
    return this.g.op('Add', [y, this.param(`${prefix}.bias`, [outFeatures], 0.02)]);
  }

  /** DynamicQuantizeLinear(x), MatMulInteger with `weight` as int8, Cast, times both scales. */
  private quantizedMatMul(x: string, weight: Float32Array, dims: number[], prefix: string): string {
    const scale = weight.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127 || 1;
    const int8 = Int8Array.from(weight, (v) => Math.max(-127, Math.min(127, Math.round(v / scale))));
    const [input, inputScale, inputZero] = this.g.node('DynamicQuantizeLinear', [x], { outputs: 3 });
    const product = this.g.op('MatMulInteger', [input, this.g.int8Initializer(`${prefix}.weight_int8`, int8, dims), inputZero, this.g.int8Initializer(`${prefix}.weight_zero`, new Int8Array(1), [])]);
    const scales = this.g.op('Mul', [inputScale, this.scalar(scale)]);
    return this.g.op('Mul', [this.g.op('Cast', [product], [intAttr('to', 1)]), scales]);
  }

  /** ViT patch embedding: a Conv with stride = kernel (no bias), pixels [b, 3, S, S] -> tokens [b, (S/p)², width]. */
  patchTokens(pixels: string, width: number, patchSize: number, prefix: string): string {
    const weight = this.param(`${prefix}.weight`, [width, 3, patchSize, patchSize], 1 / Math.sqrt(3 * patchSize ** 2));
    const conv = this.g.op('Conv', [pixels, weight], [intsAttr('kernel_shape', [patchSize, patchSize]), intsAttr('strides', [patchSize, patchSize])]);
    return this.g.op('Transpose', [this.g.op('Reshape', [conv, this.int64s([0, width, -1])])], [intsAttr('perm', [0, 2, 1])]);
  }

  /** A learned CLS token put before `tokens` [b, T, width]; `batchOf` is any input whose first dimension is b. */
  prependClass(tokens: string, batchOf: string, width: number, name: string): string {
    const batch = this.g.op('Shape', [batchOf], [intAttr('start', 0), intAttr('end', 1)]);
    const shape = this.g.op('Concat', [batch, this.int64s([1, width])], [intAttr('axis', 0)]);
    const cls = this.g.op('Expand', [this.param(name, [1, 1, width], 1), shape]);
    return this.g.op('Concat', [cls, tokens], [intAttr('axis', 1)]);
  }

  /** LayerNormalization over the last axis. */
  layerNorm(x: string, width: number, prefix: string, output?: string): string {
    const scale = this.param(`${prefix}.weight`, [width], 0.05, 1);
    const bias = this.param(`${prefix}.bias`, [width], 0.02);
    return this.g.op('LayerNormalization', [x, scale, bias], [intAttr('axis', -1), floatAttr('epsilon', layerNormEpsilon)], output);
  }

  /**
   * A stack of pre-norm layers on x [batch, tokens, width]; the last layer's output gets `output` as name.
   * `keyBias` ([batch, 1, 1, tokens], from `keyPaddingBias`) is added to the scores before every Softmax.
   */
  encoder(x: string, config: StackConfig, prefix: string, output: string, keyBias?: string): string {
    if (keyBias && config.fused) throw new Error('A key padding bias needs the explicit Softmax; fused attention cannot take it.');
    const shapes = new HeadShapes(this, x, config);
    const causal = config.causal && !config.fused ? this.causalMask(config.maxTokens, shapes.tokens) : undefined;
    const mask = causal && keyBias ? this.g.op('Add', [causal, keyBias]) : causal ?? keyBias;
    let h = x;
    for (let i = 0; i < config.layers; i++) {
      const p = `${prefix}.layers.${i}`;
      const attended = this.attention(this.layerNorm(h, config.width, `${p}.layer_norm1`), config, p, shapes, mask);
      const residual = this.g.op('Add', [h, attended]);
      const mlp = this.mlp(this.layerNorm(residual, config.width, `${p}.layer_norm2`), config, `${p}.mlp`);
      h = this.g.op('Add', [residual, mlp], undefined, i === config.layers - 1 ? output : undefined);
    }
    return h;
  }

  /** The two-layer MLP, width -> round(width * mlpRatio) -> width, with the stack's activation between. */
  mlp(x: string, config: StackConfig, prefix: string): string {
    const hidden = Math.round(config.width * config.mlpRatio);
    const up = this.linear(x, config.width, hidden, `${prefix}.fc1`);
    return this.linear(this.activate(up, config.activation), hidden, config.width, `${prefix}.fc2`);
  }

  private activate(x: string, activation: Activation): string {
    const half = (inner: string) => this.g.op('Mul', [this.g.op('Mul', [x, this.scalar(0.5)]), this.g.op('Add', [inner, this.scalar(1)])]);
    switch (activation) {
      case 'quickGelu':
        return this.g.op('Mul', [x, this.g.op('Sigmoid', [this.g.op('Mul', [x, this.scalar(1.702)])])]);
      case 'gelu':
        return half(this.g.op('Erf', [this.g.op('Div', [x, this.scalar(Math.SQRT2)])]));
      case 'geluTanh': {
        // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), torch's gelu(approximate='tanh').
        const cubic = this.g.op('Mul', [this.g.op('Mul', [this.g.op('Mul', [x, x]), x]), this.scalar(0.044715)]);
        return half(this.g.op('Tanh', [this.g.op('Mul', [this.g.op('Add', [x, cubic]), this.scalar(Math.sqrt(2 / Math.PI))])]));
      }
    }
  }

  /**
   * The additive attention bias [batch, 1, 1, T] for `keep` (float [batch, T], 1 = attend, 0 = padding): the
   * lowest float on padded keys, so their probabilities are exactly 0 in every query row (HF BERT/ViLT style).
   */
  keyPaddingBias(keep: string): string {
    const dropped = this.g.op('Sub', [this.scalar(1), keep]);
    return this.g.op('Unsqueeze', [this.g.op('Mul', [dropped, this.scalar(float32Lowest)]), this.int64s([1, 2])]);
  }

  /** [T, T] slice of a [max, max] mask with the lowest float above the diagonal. */
  private causalMask(maxTokens: number, tokens: string): string {
    const full = new Float32Array(maxTokens * maxTokens);
    for (let q = 0; q < maxTokens; q++) for (let k = q + 1; k < maxTokens; k++) full[q * maxTokens + k] = float32Lowest;
    const mask = this.g.floatInitializer('causal_mask', full, [maxTokens, maxTokens]);
    const ends = this.g.op('Concat', [tokens, tokens], [intAttr('axis', 0)]);
    return this.g.op('Slice', [mask, this.int64s([0, 0]), ends, this.int64s([0, 1])]);
  }

  private attention(x: string, c: StackConfig, prefix: string, shapes: HeadShapes, mask: string | undefined): string {
    const headDim = c.width / c.heads;
    const p = `${prefix}.self_attn`;
    if (c.fused && c.causal) {
      // com.microsoft.Attention packs the three projections and masks the future itself.
      const out = this.g.node('Attention', [x, ...this.packedQkv(c.width, p)], { domain: 'com.microsoft', attributes: [intAttr('num_heads', c.heads), intAttr('unidirectional', 1)] })[0];
      return this.linear(out, c.width, c.width, `${p}.out_proj`);
    }
    const q = this.linear(x, c.width, c.width, `${p}.q_proj`);
    const k = this.linear(x, c.width, c.width, `${p}.k_proj`);
    const v = this.linear(x, c.width, c.width, `${p}.v_proj`);
    if (c.fused) {
      const out = this.g.node('MultiHeadAttention', [q, k, v], { domain: 'com.microsoft', attributes: [intAttr('num_heads', c.heads)] })[0];
      return this.linear(out, c.width, c.width, `${p}.out_proj`);
    }
    const scaled = this.g.op('Mul', [q, this.scalar(1 / Math.sqrt(headDim))]);
    const heads = (t: string) => this.g.op('Transpose', [this.g.op('Reshape', [t, shapes.split])], [intsAttr('perm', [0, 2, 1, 3])]);
    let context: string;
    if (c.layout === '4d') {
      const keysT = this.g.op('Transpose', [this.g.op('Reshape', [k, shapes.split])], [intsAttr('perm', [0, 2, 3, 1])]);
      let scores = this.g.op('MatMul', [heads(scaled), keysT]);
      if (mask) scores = this.g.op('Add', [scores, mask]);
      const probs = this.g.op('Softmax', [scores], [intAttr('axis', -1)]);
      context = this.g.op('MatMul', [probs, heads(v)]);
    } else {
      const flat = (t: string) => this.g.op('Reshape', [heads(t), shapes.flatHeads]);
      const keysT = this.g.op('Transpose', [flat(k)], [intsAttr('perm', [0, 2, 1])]);
      let scores = this.g.op('MatMul', [flat(scaled), keysT]);
      if (mask) {
        const masked = this.g.op('Add', [this.g.op('Reshape', [scores, shapes.scores4d]), mask]);
        scores = this.g.op('Reshape', [masked, shapes.scores3d]);
      }
      const probs = this.g.op('Softmax', [scores], [intAttr('axis', -1)]);
      context = this.g.op('Reshape', [this.g.op('MatMul', [probs, flat(v)]), shapes.unflatHeads]);
    }
    const merged = this.g.op('Reshape', [this.g.op('Transpose', [context], [intsAttr('perm', [0, 2, 1, 3])]), shapes.merge]);
    return this.linear(merged, c.width, c.width, `${p}.out_proj`);
  }
}

/** Shape tensors for splitting heads, built on first use from the runtime batch and token counts. */
class HeadShapes {
  private readonly built = new Map<string, string>();
  private readonly headDim: number;

  constructor(private readonly t: TransformerBuilder, private readonly x: string, private readonly c: StackConfig) {
    this.headDim = c.width / c.heads;
  }

  /** [b, T, D] -> [b, T, h, d]. */
  get split(): string { return this.t.int64s([0, 0, this.c.heads, this.headDim]); }
  /** [b, T, h, d] -> [b, T, D]. */
  get merge(): string { return this.t.int64s([0, 0, this.c.width]); }
  /** [T] as a 1-D tensor. */
  get tokens(): string { return this.once('tokens', () => this.dims(1, 2)); }
  /** [b, h, T, d] -> [b*h, T, d]. */
  get flatHeads(): string {
    return this.once('flat', () => this.concat([this.t.g.op('Mul', [this.batch, this.t.int64s([this.c.heads])]), this.t.int64s([-1, this.headDim])]));
  }
  /** [b*h, T, d] -> [b, h, T, d]. */
  get unflatHeads(): string { return this.once('unflat', () => this.concat([this.batch, this.t.int64s([this.c.heads, -1, this.headDim])])); }
  /** [b*h, T, T] -> [b, h, T, T]. */
  get scores4d(): string { return this.once('scores4d', () => this.concat([this.batch, this.t.int64s([this.c.heads, -1]), this.tokens])); }
  /** [b, h, T, T] -> [b*h, T, T]. */
  get scores3d(): string { return this.once('scores3d', () => this.concat([this.t.int64s([-1]), this.tokens, this.tokens])); }

  private get batch(): string { return this.once('batch', () => this.dims(0, 1)); }

  private dims(start: number, end: number): string {
    return this.t.g.op('Shape', [this.x], [intAttr('start', start), intAttr('end', end)]);
  }

  private concat(parts: string[]): string {
    return this.t.g.op('Concat', parts, [intAttr('axis', 0)]);
  }

  private once(key: string, build: () => string): string {
    const known = this.built.get(key) ?? build();
    this.built.set(key, known);
    return known;
  }
}
