/**
 * Tap overhead: one run of a tower with every attention probability tensor as an extra output (the
 * product's TappedGraph, tensors read as it reads them) against one run of the same file untapped.
 */
import type { Tensor } from 'onnxruntime-node';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, interleavedMedians, type Figure } from './figures';
import { idFeeds, pixelFeeds } from './feeds';

/** The goal for tapped / untapped. */
const TAP_GOAL = { op: '<=', limit: 1.1 } as const;

/** Rounds per tower: fewer for ViT-B/16, whose run is four times longer. */
const ROUNDS = { 'ViT-B/32': 9, 'ViT-B/16': 5, text: 7 };

/** Medians of the two runs of one ONNX file, in ms. */
interface TapTimes {
  untapped: number;
  tapped: number;
}

/** Tapped and untapped medians of `file` on `feeds` (batch 1). */
async function tapTimes(ctx: BenchContext, file: string, feeds: Record<string, Tensor>, rounds: number): Promise<TapTimes> {
  const plain = await ctx.untapped(file);
  const tapped = await ctx.tapped(file);
  const [untappedMs, tappedMs] = await interleavedMedians(rounds, [
    () => plain.session.run(feeds),
    () => tapped.graph.run(tapped.open, feeds, 1),
  ]);
  return { untapped: untappedMs, tapped: tappedMs };
}

function figures(name: string, times: TapTimes, note: string): Figure[] {
  return [
    goal(`Tap overhead, ${name} (tapped / untapped run)`, times.tapped / times.untapped, 'ratio', TAP_GOAL, note),
    info(`${name}: untapped run`, times.untapped, 'ms'),
    info(`${name}: tapped run`, times.tapped, 'ms'),
  ];
}

/** The tap overhead of the ViT-B/32 towers (sessions stay open for the next groups). */
export async function tapOverheadB32(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/32');
  log('Tap overhead: ViT-B/32 vision and text towers');
  const vision = await tapTimes(ctx, model.vision, await pixelFeeds(model.shape.imageSize), ROUNDS['ViT-B/32']);
  const text = await tapTimes(ctx, model.text, await idFeeds(77), ROUNDS.text);
  return [
    ...figures('ViT-B/32 vision', vision, '12 taps of [1,12,50,50]'),
    ...figures('text tower, 77 tokens', text, '12 taps of [1,8,77,77]'),
  ];
}

/** The tap overhead of the ViT-B/16 vision tower. */
export async function tapOverheadB16(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/16');
  log('Tap overhead: ViT-B/16 vision tower');
  const vision = await tapTimes(ctx, model.vision, await pixelFeeds(model.shape.imageSize), ROUNDS['ViT-B/16']);
  return figures('ViT-B/16 vision', vision, '12 taps of [1,12,197,197]');
}
