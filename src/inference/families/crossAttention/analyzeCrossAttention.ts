/**
 * One analysis of images x texts with a cross-attention matcher. The JSON contract of docs/cli.md holds as for the
 * other matchers: `itm` is the matching probability of each pair, `similarity` the match log-odds and
 * `probabilities` their softmax over the texts. `maps.rollout` is the vision encoder's attention rollout from its
 * CLS token (the image alone); `maps.alignment[i][j]` is text j's cross-attention to image i's patches: the mean
 * over the cross-attention layers, their heads and the text's own tokens (padding and [CLS]/[SEP] left out) of the
 * attention each text token pays each patch, the image CLS key left out.
 */
import { toNested } from '../../../analysis/grid';
import { softmaxRows } from '../../../analysis/similarity';
import { throwIfCancelled, type LongRunOptions } from '../../../core/progress';
import { SCHEMA_VERSION, type AnalysisResult, type Matrix, type Tower } from '../../../shared/analysisResult';
import type { DetailedAnalysisResult } from '../../../shared/attentionDetails';
import { patchGridFor, type PatchGrid } from '../../images/patchGrid';
import type { LayerAttention } from '../../runtime/tappedGraph';
import { attentionParts, imageInfos, itemAttention, requireSameSize, rolloutPatchGrid, textBodyTokens, textInfos, type PreparedRequest, type TowerLayers } from '../../tasks/analysisParts';
import { rolloutOptions, rolloutSettings } from '../../tasks/attentionDetails';
import { flowPatchGrids } from '../../tasks/attentionFlowMaps';
import { unobservable } from '../../tasks/notices';
import type { Stopwatch } from '../../tasks/stopwatch';
import type { CrossAttentionModel, StreamAttention } from './crossAttentionModel';

/** Runs every image x text pair through `model`: ITM scores, the vision rollout and the cross-attention maps. */
export async function analyzeCrossAttention(model: CrossAttentionModel, request: PreparedRequest, stopwatch: Stopwatch, options: LongRunOptions = {}): Promise<DetailedAnalysisResult> {
  const { images, texts } = request;
  requireSameSize(images);
  const scores = await stopwatch.time('joint', () => model.scorePairs(images.map((i) => i.image), texts, options));
  const streams = model.byStream(scores.attention);
  const size = images[0].image.outputSize;
  const tokens = streams.vision[0]?.queries ?? streams.cross[0]?.keys ?? 0;
  const grid = patchGridFor(size.height, size.width, model.folder.config.vision.patchSize, tokens);
  const observable = streams.vision.length > 0 && streams.cross.length > 0;
  const rollout = rolloutSettings(request);
  // The vision encoder sees each image alone, so its first pair's attention stands for the image.
  const flow = request.flow && observable
    ? await stopwatch.time('flow', () => flowPatchGrids(streams.vision, images.map((_, i) => i * texts.length), grid, rolloutOptions(rollout, options.signal, options.onProgress)))
    : undefined;
  return stopwatch.time('analysis', () => {
    const shape = [images.length, texts.length] as const;
    const items = scores.batch.items;
    const result: AnalysisResult = {
      schemaVersion: SCHEMA_VERSION,
      model: { name: model.folder.name, architecture: 'crossAttention', executionProvider: model.executionProvider, notices: notices(model, request) },
      images: imageInfos(images),
      texts: textInfos(items),
      grid: { rows: grid.rows, cols: grid.cols },
      similarity: toNested(scores.logOdds, shape, 'similarity'),
      probabilities: toNested(softmaxRows(scores.logOdds, ...shape), shape, 'probabilities'),
      itm: toNested(scores.itm, shape, 'itm'),
      logitScale: 1,
      attentionObservable: observable,
      maps: observable
        ? {
          rollout: images.map((_, i) => rolloutPatchGrid(streams.vision, i * texts.length, grid, rolloutOptions(rollout, options.signal))),
          alignment: images.map((_, i) => items.map((item, j) => {
            throwIfCancelled(options.signal);
            return crossGrid(streams.cross, i * texts.length + j, textBodyTokens(item, model.specialIds), grid);
          })),
          ...(flow && { flow: flow.maps }),
        }
        : { rollout: [], alignment: [] },
      timings: {},
    };
    if (observable) result.alignmentMethod = 'crossAttention';
    if (request.includeAttention || request.pageAttention) Object.assign(result, attentionParts(request, towerLayers(streams, images.length, items.map((item) => item.tokens.length)), grid));
    return Object.assign(result, observable ? { rollout } : {}, flow ? { flow: flow.details } : {});
  });
}

/** What the result cannot show: hidden attention, texts cut, and the details not computed for this family yet. */
function notices(model: CrossAttentionModel, request: PreparedRequest): string[] {
  const hidden = model.graph.taps.length === 0 ? [unobservable(model.graph.fusedOperators)] : [];
  const details = request.headStats || request.textAttention ? ['Head statistics and text attention are not computed for cross-attention matchers yet; the maps and the per-layer attention (--attention) are.'] : [];
  return [...hidden, ...details];
}

/** The mean over cross-attention layers, heads and `tokens` of pair `pair`'s attention on each patch. */
function crossGrid(cross: LayerAttention[], pair: number, tokens: number[], grid: PatchGrid): Matrix {
  const patches = grid.rows * grid.cols;
  const map = new Float32Array(patches);
  const weight = 1 / (cross.length * cross[0].heads * tokens.length);
  for (const layer of cross) {
    const data = itemAttention(layer, pair);
    for (let h = 0; h < layer.heads; h++) {
      for (const t of tokens) {
        const row = (h * layer.queries + t) * layer.keys + grid.firstPatch;
        for (let p = 0; p < patches; p++) map[p] += data[row + p] * weight;
      }
    }
  }
  return toNested(map, [grid.rows, grid.cols], 'alignment');
}

/**
 * The towers' layers: vision per image (one pair of each image: the image encoder does not see the text), text and
 * cross per pair, with each text's real token count (`lengths`, one per text), so that a page gets the text head view.
 */
function towerLayers(streams: StreamAttention, images: number, lengths: number[]): Partial<Record<Tower, TowerLayers>> {
  const texts = lengths.length;
  const perImage = (layer: LayerAttention): LayerAttention => {
    const size = layer.heads * layer.queries * layer.keys;
    const data = new Float32Array(images * size);
    for (let i = 0; i < images; i++) data.set(itemAttention(layer, i * texts), i * size);
    return { ...layer, data };
  };
  return {
    vision: { layers: streams.vision.map(perImage), items: images },
    text: { layers: streams.text, items: images * texts, lengths: Array.from({ length: images * texts }, (_, pair) => lengths[pair % texts]) },
    cross: { layers: streams.cross, items: images * texts },
  };
}
