/**
 * Head ablation for the image-text matchers (single-stream and cross-attention): the probability that the text
 * matches the image, with heads of some of the graph's attention layers masked (../onnx/headMask.ts), through a
 * masked copy of the matcher's graph fed the pair as pairMatching.ts feeds it.
 */
import { sigmoidScores } from '../../analysis/similarity';
import type { HeadStream } from '../../shared/headImportance';
import type { PreprocessedImage } from '../images/preprocess';
import { floatData } from '../runtime/graphIo';
import { HeadMaskedGraph } from '../runtime/headMaskedGraph';
import { loadOrt, type SessionCache } from '../runtime/sessions';
import { uniformHeads, type HeadAblationTarget } from './headImportance';
import { matchScores, pairFeeds, type PairInputs, type PairScorer } from './pairMatching';

/** A matcher whose graph can be masked: its file, the inputs a pair is fed and the matching head's output. */
export interface MaskableMatcher extends PairScorer {
  readonly graphFile: string;
  readonly inputs: PairInputs;
  readonly itmOutput: string;
}

/**
 * The pair's matching probability as a function of a mask over the heads of `layers` (indices into the graph's
 * attention taps, in graph order; every layer when absent), reported as `stream`.
 */
export async function pairHeadAblation(
  model: MaskableMatcher, image: PreprocessedImage, text: string, stream: HeadStream, layers: readonly number[] | undefined, cache: SessionCache,
): Promise<HeadAblationTarget> {
  const ort = await loadOrt();
  const batch = await model.encodePairTexts([text]);
  const own = await model.runPairBatch([image], batch);
  const file = model.graphFile;
  const output = model.itmOutput;
  const masked = await HeadMaskedGraph.open(file, undefined, [output], cache, layers);
  const attention = layers ? layers.map((l) => own.attention[l]) : own.attention;
  const heads = uniformHeads(attention, masked.layers, `the ${stream} layers`);
  const feeds = pairFeeds(ort, model.inputs, [image], batch, [[0, 0]]);
  return {
    stream, scoreKind: 'itm', layers: masked.layers, heads, score: own.itm[0],
    scoreWith: async (mask) => {
      const outputs = await masked.run(feeds, mask, heads);
      return sigmoidScores(matchScores(file, output, outputs[output].dims, floatData(outputs, output, file), 1), 1, 0)[0];
    },
  };
}
