/**
 * The probe's model runs on a two-tower model: every distinct image and caption embedded once, in blocks,
 * plus the empty text and the mean image for the ablation. All scores are cosine similarities of the
 * embeddings, so the N x N matrix needs only N image and N text passes; the embeddings also give the geometry
 * of the joint space (probeGeometry.ts).
 */
import type { PairKeys } from '../../../analysis/probes/retrieval';
import { cosineSimilarityMatrix } from '../../../analysis/similarity';
import { attentionBytes, forEachBlock } from '../../tasks/probeBlocks';
import type { ProbeImages } from '../../tasks/probeImages';
import { truncationNotices, type ProbeRun, type ProbeScores } from '../../tasks/probeParts';
import type { Stopwatch } from '../../tasks/stopwatch';
import { embeddingGeometry, type DistinctEmbeddings } from './probeGeometry';
import type { LongRunOptions } from '../../../core/progress';
import type { EncodedText } from '../../model/tokenize';
import type { TwoTowerModel } from './twoTowerModel';

/** The scores and the embeddings they came from (distinct images, distinct captions). */
type EmbeddedSet = ProbeScores & DistinctEmbeddings;

/** Rows of embeddings filled block by block; the width is known from the first block. */
class EmbeddingRows {
  data = new Float32Array(0);
  dim = 0;

  constructor(private readonly count: number) {}

  put(start: number, embeds: Float32Array, items: number): void {
    if (this.dim === 0) {
      this.dim = embeds.length / items;
      this.data = new Float32Array(this.count * this.dim);
    }
    this.data.set(embeds, start * this.dim);
  }
}

/** Embeds the distinct images and captions, scores them, and adds the geometry of the set's embeddings. */
export async function probeTwoTower(model: TwoTowerModel, images: ProbeImages, captions: string[], keys: PairKeys, stopwatch: Stopwatch, options: LongRunOptions = {}): Promise<ProbeRun> {
  const { imageEmbeds, textEmbeds, dim, ...scores } = await stopwatch.time('towers', () => embedSet(model, images, captions, options));
  const geometry = await stopwatch.time('analysis', () => embeddingGeometry({ imageEmbeds, textEmbeds, dim }, keys));
  return { ...scores, scoreKind: 'cosine', geometry };
}

async function embedSet(model: TwoTowerModel, images: ProbeImages, captions: string[], options: LongRunOptions): Promise<EmbeddedSet> {
  const { signal, onProgress } = options;
  const imageRows = new EmbeddingRows(images.paths.length);
  await forEachBlock(images.paths.length, async (start, end) => {
    const out = await model.encodeImages(await images.loadRange(start, end), { signal });
    imageRows.put(start, out.embeds, end - start);
    onProgress?.({ stage: 'images', done: end, total: images.paths.length });
    return attentionBytes(out.attention) + (out.dense?.byteLength ?? 0);
  }, signal);
  const textRows = new EmbeddingRows(captions.length);
  const encoded: EncodedText[] = [];
  await forEachBlock(captions.length, async (start, end) => {
    const out = await model.encodeTexts(captions.slice(start, end), { signal });
    textRows.put(start, out.embeds, end - start);
    encoded.push(...out.batch.items);
    onProgress?.({ stage: 'texts', done: end, total: captions.length });
    return attentionBytes(out.attention);
  }, signal);
  const dim = imageRows.dim;
  const empty = await model.encodeTexts([''], { signal });
  const mean = await model.encodeImages([images.mean()], { signal });
  return {
    scores: cosineSimilarityMatrix(imageRows.data, textRows.data, dim),
    emptyText: cosineSimilarityMatrix(imageRows.data, empty.embeds, dim),
    meanImage: cosineSimilarityMatrix(mean.embeds, textRows.data, dim),
    notices: [...truncationNotices(encoded), ...images.summary()],
    imageEmbeds: imageRows.data,
    textEmbeds: textRows.data,
    dim,
  };
}
