/**
 * Compute efficiency: the GFLOP/s the untapped ViT-B/32 vision tower achieves, against onnxruntime's own
 * GFLOP/s on one large MatMul on the same provider, run interleaved with it (the machine's practical peak).
 */
import { loadOrt } from '../../src/inference/runtime/sessions';
import { GraphBuilder } from '../../src/inference/onnx/graphBuilder';
import { DataType, intAttr } from '../../src/inference/onnx/onnxTypes';
import { visionFlops } from './benchModels';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, interleavedMedians, type Figure } from './figures';
import { pixelFeeds } from './feeds';

const ROUNDS = 9;

/**
 * One N x N by N x N MatMul whose left side is expanded inside the graph from a 1 x N input and whose
 * result is summed to a scalar, so the run copies almost nothing between JavaScript and the provider;
 * the weight is an initializer, as a model's weights are. 2·N³ operations.
 */
function matMulModel(n: number): Uint8Array {
  const g = new GraphBuilder({ name: 'matmul_peak' });
  const x = g.input('x', DataType.FLOAT, [1, n]);
  const rows = g.op('Expand', [x, g.int64Initializer('rows', [n, n])]);
  const weight = new Float32Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const product = g.op('MatMul', [rows, g.floatInitializer('w', weight, [n, n])]);
  g.op('ReduceSum', [product], [intAttr('keepdims', 0)], 'sum');
  g.output('sum', DataType.FLOAT, []);
  return g.toBytes();
}

/** Efficiency of the ViT-B/32 vision tower at batch 1 (its untapped session is shared with the other groups). */
export async function efficiency(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/32');
  // Big enough to keep a GPU busy for milliseconds; on 2 CPU cores 2048 already takes a fifth of a second.
  const n = ctx.ep === 'cpu' ? 2048 : 8192;
  log(`Compute efficiency: ViT-B/32 vision against a ${n}^3 MatMul`);
  const ort = await loadOrt();
  const peak = await ctx.session(`matmul-${n}`, async () => matMulModel(n));
  const x = { x: new ort.Tensor('float32', new Float32Array(n).fill(0.01), [1, n]) };
  const vision = await ctx.untapped(model.vision);
  const pixels = await pixelFeeds(model.shape.imageSize);
  const [visionMs, matMulMs] = await interleavedMedians(ROUNDS, [() => vision.session.run(pixels), () => peak.session.run(x)], 2);
  const flops = visionFlops(model.shape);
  const achieved = flops / visionMs / 1e6;
  const practical = (2 * n ** 3) / matMulMs / 1e6;
  return [
    goal('Compute efficiency, ViT-B/32 vision (achieved / MatMul GFLOP/s)', achieved / practical, 'ratio', { op: '>=', limit: 0.5 },
      `${(flops / 1e9).toFixed(2)} GFLOP per image at batch 1, untapped`),
    info('ViT-B/32 vision achieved', achieved, 'GFLOP/s'),
    info(`onnxruntime MatMul ${n}x${n}x${n}`, practical, 'GFLOP/s', 'the practical peak of this machine and provider'),
  ];
}
