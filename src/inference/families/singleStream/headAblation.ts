/**
 * Head ablation for single-stream matchers: the probability that the text matches the image, with heads of the
 * joint layers masked (../../onnx/headMask.ts), through a masked copy of the joint graph.
 */
import { sigmoidScores } from '../../../analysis/similarity';
import { badInput } from '../../../core/errors';
import type { HeadStream } from '../../../shared/headImportance';
import type { PreprocessedImage } from '../../images/preprocess';
import { floatData } from '../../runtime/graphIo';
import { HeadMaskedGraph } from '../../runtime/headMaskedGraph';
import { loadOrt, type SessionCache } from '../../runtime/sessions';
import { uniformHeads, type HeadAblationTarget } from '../../tasks/headImportance';
import { matchScores, pairFeeds } from '../../tasks/pairMatching';
import type { SingleStreamModel } from './singleStreamModel';

/** The pair's matching probability as a function of a mask over the heads of every joint layer. */
export async function jointHeadAblation(model: SingleStreamModel, image: PreprocessedImage, text: string, asked: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
  const stream = asked ?? 'joint';
  if (stream !== 'joint') throw badInput(`A single-stream model has no separate ${stream} layers: its layers attend over text and image tokens together.`, 'Ablate its joint layers (--stream joint, the default).');
  const ort = await loadOrt();
  const batch = await model.encodePairTexts([text]);
  const own = await model.runPairBatch([image], batch);
  const { file } = model.joint;
  const output = model.itmOutput;
  const masked = await HeadMaskedGraph.open(file, undefined, [output], cache);
  const heads = uniformHeads(own.attention, masked.layers, 'the joint layers');
  const feeds = pairFeeds(ort, model.inputs, [image], batch, [[0, 0]]);
  return {
    stream, scoreKind: 'itm', layers: masked.layers, heads, score: own.itm[0],
    scoreWith: async (mask) => {
      const outputs = await masked.run(feeds, mask, heads);
      return sigmoidScores(matchScores(file, output, outputs[output].dims, floatData(outputs, output, file), 1), 1, 0)[0];
    },
  };
}
