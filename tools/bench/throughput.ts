/**
 * Throughput of dataset runs (`mmlens probe`, evaluation): images per second through the product's
 * TwoTowerModel.encodeImages (tapped vision tower with dense outputs, run in the product's chunks) for
 * blocks of 1, 8 and 32 preprocessed images on ViT-B/32, and the raw untapped tower at batch 8 beside it.
 */
import { preprocessImage } from '../../src/inference/images/preprocess';
import { asTwoTower } from '../../src/inference/families/twoTower/twoTowerModel';
import { visionFlops } from './benchModels';
import type { BenchContext } from './context';
import { log } from './context';
import { info, interleavedMedians, type Figure } from './figures';
import { pixelFeeds } from './feeds';
import { photoImage } from './sampleInputs';

/** Block sizes and rounds: the larger blocks take seconds each on two cores. */
const BLOCKS = [
  { size: 1, rounds: 5 },
  { size: 8, rounds: 3 },
  { size: 32, rounds: 3 },
];

/** Images per second by block size. */
export async function throughput(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/32');
  log('Throughput: ViT-B/32 blocks of 1, 8 and 32 images');
  const loaded = asTwoTower(await ctx.service().model(model.dir));
  if (!loaded) throw new Error(`${model.dir} did not load as a two-tower model.`);
  const image = await preprocessImage(await photoImage(ctx.scratch), loaded.folder.preprocessor);
  const figures: Figure[] = [];
  for (const { size, rounds } of BLOCKS) {
    const images = Array.from({ length: size }, () => image);
    const [ms] = await interleavedMedians(rounds, [() => loaded.encodeImages(images)]);
    figures.push(info(`Throughput, ViT-B/32 encodeImages, block of ${size}`, (size * 1000) / ms, 'images/s'));
  }
  const raw = await ctx.untapped(model.vision);
  const batch = await pixelFeeds(model.shape.imageSize, 8);
  const [rawMs] = await interleavedMedians(3, [() => raw.session.run(batch)]);
  figures.push(
    info('Throughput, ViT-B/32 raw untapped, batch 8', 8000 / rawMs, 'images/s'),
    info('ViT-B/32 vision achieved at batch 8, untapped', (8 * visionFlops(model.shape)) / rawMs / 1e6, 'GFLOP/s'),
  );
  return figures;
}
