/**
 * One analysis of images x texts with a single-stream model. The JSON contract of docs/cli.md holds as for
 * two-tower models: `itm` is the matching probability of each pair; `similarity` is the match log-odds and
 * `probabilities` their softmax over the texts; the maps come from attention rollout over the joint sequence,
 * restricted to the patches: from the ITM token (`rollout`, averaged over the texts) and from each text's
 * own tokens (`alignment`).
 */
import { toNested, rowToGrid } from '../../../analysis/grid';
import { attentionRollout, type RolloutOptions } from '../../../analysis/attention/rollout';
import { softmaxRows } from '../../../analysis/similarity';
import { SCHEMA_VERSION, type AnalysisResult, type Matrix, type TokenLayoutInfo } from '../../../shared/analysisResult';
import type { DetailedAnalysisResult } from '../../../shared/attentionDetails';
import { attentionParts, imageInfos, itemAttention, requireSameSize, textBodyTokens, textInfos, type PreparedRequest } from '../../tasks/analysisParts';
import { rolloutOptions, rolloutSettings, singleStreamDetails } from '../../tasks/attentionDetails';
import { unobservable } from '../../tasks/notices';
import { throwIfCancelled, type LongRunOptions } from '../../../core/progress';
import type { SingleStreamModel } from './singleStreamModel';
import type { PairScores } from '../../tasks/pairMatching';
import type { Stopwatch } from '../../tasks/stopwatch';

/** Runs every image x text pair through `model` and computes ITM scores and rollout maps. */
export async function analyzeSingleStream(model: SingleStreamModel, request: PreparedRequest, stopwatch: Stopwatch, options: LongRunOptions = {}): Promise<DetailedAnalysisResult> {
  const { images, texts } = request;
  requireSameSize(images);
  const scores = await stopwatch.time('joint', () => model.scorePairs(images.map((i) => i.image), texts, options));
  return stopwatch.time('analysis', () => {
    const shape = [images.length, texts.length] as const;
    const size = images[0].image.outputSize;
    const { rows, cols } = model.layoutFor(size);
    const layout = model.layoutInfo(size);
    const observable = scores.attention.length > 0;
    const rollout = rolloutSettings(request);
    const result: AnalysisResult = {
      schemaVersion: SCHEMA_VERSION,
      model: { name: model.folder.name, architecture: 'singleStream', executionProvider: model.executionProvider, notices: notices(model, scores), tokenLayout: layout },
      images: imageInfos(images),
      texts: textInfos(scores.batch.items),
      grid: { rows, cols },
      similarity: toNested(scores.logOdds, shape, 'similarity'),
      probabilities: toNested(softmaxRows(scores.logOdds, ...shape), shape, 'probabilities'),
      itm: toNested(scores.itm, shape, 'itm'),
      logitScale: 1,
      attentionObservable: observable,
      maps: observable ? rolloutMaps(model, scores, { layout, rows, cols }, images.length, options, rolloutOptions(rollout, options.signal)) : { rollout: [], alignment: [] },
      timings: {},
    };
    Object.assign(result, attentionParts(request, { joint: { layers: scores.attention, items: images.length * texts.length } }, { rows, cols }));
    const details = singleStreamDetails(request, { joint: scores.attention, texts: scores.batch.items, images: images.length, layout, rows, cols });
    return Object.assign(result, details, observable ? { rollout } : {});
  });
}

function notices(model: SingleStreamModel, scores: PairScores): string[] {
  const cut = scores.batch.items.filter((item) => item.truncated).map((item) => `"${item.text}" is longer than the model's ${model.textLength} text tokens; its end was cut.`);
  return [...(model.joint.taps.length === 0 ? [unobservable(model.joint.fusedOperators)] : []), ...cut];
}

/** One full rollout per pair serves both the ITM token's row and every text token's row. */
function rolloutMaps(model: SingleStreamModel, scores: PairScores, grid: { layout: TokenLayoutInfo; rows: number; cols: number }, images: number, options: LongRunOptions, variant: RolloutOptions): AnalysisResult['maps'] {
  const { layout, rows, cols } = grid;
  const items = scores.batch.items;
  const { heads } = scores.attention[0];
  const rollout: Matrix[] = [];
  const alignment: Matrix[][] = [];
  for (let i = 0; i < images; i++) {
    const itmMean = new Float32Array(rows * cols);
    alignment.push(items.map((item, j) => {
      throwIfCancelled(options.signal);
      const pair = i * items.length + j;
      const matrix = attentionRollout(scores.attention.map((layer) => itemAttention(layer, pair)), heads, layout.tokens, variant);
      const patchRow = (token: number) => rowToGrid(matrix, layout.tokens, token, layout.firstPatch, rows, cols);
      patchRow(layout.itmToken).forEach((v, k) => (itmMean[k] += v / items.length));
      const tokens = textBodyTokens(item, model.specialIds).map((c) => layout.textStart + c);
      const map = new Float32Array(rows * cols);
      for (const token of tokens) patchRow(token).forEach((v, k) => (map[k] += v / tokens.length));
      options.onProgress?.({ stage: 'maps', done: pair + 1, total: images * items.length });
      return toNested(map, [rows, cols], 'alignment');
    }));
    rollout.push(toNested(itmMean, [rows, cols], 'rollout'));
  }
  return { rollout, alignment };
}
