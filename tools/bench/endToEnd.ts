/**
 * End to end: the service's analysis of one photo with five texts on ViT-B/32 (decode, preprocess, both
 * tapped towers, rollout, alignment maps), against the raw untapped runs of the two towers on the same
 * inputs (the image's pixels, the texts' token ids at the same padded length).
 */
import type { DetailedAnalysisResult } from '../../src/shared/attentionDetails';
import { decodeRgb } from '../../src/inference/images/imageDecode';
import { DEFAULT_MAX_PIXELS, preprocessImage } from '../../src/inference/images/preprocess';
import { asTwoTower } from '../../src/inference/families/twoTower/twoTowerModel';
import type { BenchContext } from './context';
import { log } from './context';
import { goal, info, interleavedMedians, stageFigures, type Figure } from './figures';
import { pixelFeeds, tokenFeeds } from './feeds';
import { FIVE_TEXTS, photoImage } from './sampleInputs';

const ROUNDS = 7;

/** End-to-end / raw on ViT-B/32, with the analysis's own stage timings. */
export async function endToEnd(ctx: BenchContext): Promise<Figure[]> {
  const model = ctx.model('ViT-B/32');
  log('End to end: ViT-B/32, one photo and five texts');
  const service = ctx.service();
  const loaded = asTwoTower(await service.model(model.dir));
  if (!loaded) throw new Error(`${model.dir} did not load as a two-tower model.`);
  const image = await photoImage(ctx.scratch);
  const batch = loaded.tokenizer.encodeBatch(FIVE_TEXTS);
  const vision = await ctx.untapped(model.vision);
  const text = await ctx.untapped(model.text);
  const pixels = await pixelFeeds(model.shape.imageSize);
  const ids = await tokenFeeds(batch.ids, FIVE_TEXTS.length);
  const stages: Record<string, number>[] = [];
  const analyze = async () => {
    const result: DetailedAnalysisResult = await service.analyze({ modelDir: model.dir, images: [image], texts: FIVE_TEXTS });
    ctx.providersSeen.add(result.model.executionProvider);
    stages.push(result.timings);
  };
  const [analysisMs, visionMs, textMs, preprocessMs, decodeMs] = await interleavedMedians(ROUNDS, [
    analyze,
    () => vision.session.run(pixels),
    () => text.session.run(ids),
    () => preprocessImage(image, loaded.folder.preprocessor),
    () => decodeRgb(image, DEFAULT_MAX_PIXELS),
  ]);
  return [
    goal('End to end / raw, ViT-B/32, 1 image + 5 texts', analysisMs / (visionMs + textMs), 'ratio', { op: '<=', limit: 1.25 },
      `analyze() of a 1280x960 JPEG with 5 texts (${batch.length} tokens each) / untapped vision + text runs`),
    info('  ViT-B/32 analyze(), 1 image + 5 texts', analysisMs, 'ms'),
    info('  raw untapped vision run, 1 image', visionMs, 'ms'),
    info('  raw untapped text run, 5 texts', textMs, 'ms'),
    info('  preprocessImage() alone', preprocessMs, 'ms', "decode, Pillow's bicubic resize of the crop window (exact, in JavaScript), normalise"),
    info('    of it the decode (decodeRgb)', decodeMs, 'ms', 'sharp: file read, header, full decode to RGB bytes'),
    // The last ROUNDS calls are the timed ones; the first opened the sessions (its "load" stage).
    ...stageFigures('analyze()', stages.slice(-ROUNDS)),
  ];
}
