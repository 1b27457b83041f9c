/**
 * int8: the ViT-B/16 vision tower with every linear layer in onnxruntime's dynamic int8 form (the `_quantized`
 * file transformers.js ships; its int8 kernels use the CPU's VNNI instructions where it has them) against the
 * fp32 file, and the tap overhead on the int8 one, all interleaved in one run.
 */
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, interleavedMedians, type Figure } from './figures';
import { pixelFeeds } from './feeds';

const ROUNDS = 5;

/** fp32 / int8 speed-up and the int8 tower's tapped / untapped ratio. */
export async function int8ViTB16(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/16');
  if (!model.visionQuantized) throw new Error('The ViT-B/16 bench model has no quantized vision tower.');
  log('int8: ViT-B/16 vision tower, fp32 and dynamic int8');
  const feeds = await pixelFeeds(model.shape.imageSize);
  const fp32 = await ctx.untapped(model.vision);
  const int8 = await ctx.untapped(model.visionQuantized);
  const tapped = await ctx.tapped(model.visionQuantized);
  const [fp32Ms, int8Ms, tappedMs] = await interleavedMedians(ROUNDS, [
    () => fp32.session.run(feeds),
    () => int8.session.run(feeds),
    () => tapped.graph.run(tapped.open, feeds, 1),
  ]);
  return [
    info('int8 speed-up, ViT-B/16 vision (fp32 run / int8 run)', fp32Ms / int8Ms, 'ratio', 'linear layers in int8, attention products in float'),
    goal('Tap overhead, ViT-B/16 int8 vision (tapped / untapped run)', tappedMs / int8Ms, 'ratio', { op: '<=', limit: 1.1 }, '12 taps of [1,12,197,197]'),
    info('ViT-B/16 int8 vision: untapped run', int8Ms, 'ms'),
  ];
}
