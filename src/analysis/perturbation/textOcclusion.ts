/**
 * Text-token occlusion, the text side of occlusion attribution (Zeiler & Fergus 2014, here over tokens): hide each
 * token of the text in turn (it becomes the mask id; the start and end tokens stay), score the pair again with the
 * image untouched, and credit the token with the score drop. Model-agnostic: the pair goes through a PairScoreBatch.
 */
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';
import { coalitionBatch, featureCount, scorePairBatch, type PairFeatures, type PairScoreBatch } from './pairPerturbation';

/** Text occlusion of one pair. */
export interface TextOcclusionResult {
  /** Per hideable token (PairText.positions order): baseline score minus the score with that token hidden. */
  drops: Float64Array;
  /** Score of the untouched pair. */
  baseline: number;
  /** Pairs scored, the untouched one included. */
  forwardPasses: number;
}

/** The drop of the pair's score when each hideable token is hidden, in one batch of tokens + 1 pairs. */
export async function textOcclusion(features: PairFeatures, score: PairScoreBatch, options: LongRunOptions = {}): Promise<TextOcclusionResult> {
  const words = features.text.positions.length;
  const width = featureCount(features);
  // Row 0 keeps everything; row k + 1 hides token k only.
  const coalitions = new Uint8Array((words + 1) * width).fill(1);
  for (let k = 0; k < words; k++) coalitions[(k + 1) * width + k] = 0;
  throwIfCancelled(options.signal);
  const scores = await scorePairBatch(score, coalitionBatch(features, coalitions, words + 1), 'text occlusion');
  throwIfCancelled(options.signal);
  options.onProgress?.({ stage: 'text occlusion', done: words + 1, total: words + 1 });
  return { drops: Float64Array.from({ length: words }, (_, k) => scores[0] - scores[k + 1]), baseline: scores[0], forwardPasses: words + 1 };
}
