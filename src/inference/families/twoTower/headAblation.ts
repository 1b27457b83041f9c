/**
 * Head ablation for the two towers: the cosine of one image's and one text's embeddings, with heads of the vision
 * tower or of the text tower masked (../../onnx/headMask.ts) and the other tower's embedding from its own session.
 */
import type { Tensor } from 'onnxruntime-node';
import { badInput } from '../../../core/errors';
import { cosineSimilarityMatrix } from '../../../analysis/similarity';
import type { HeadStream } from '../../../shared/headImportance';
import type { PreprocessedImage } from '../../images/preprocess';
import { findInput, isIdsInput, isPixelInput } from '../../runtime/graphInputs';
import { floatData, intTensor } from '../../runtime/graphIo';
import { HeadMaskedGraph } from '../../runtime/headMaskedGraph';
import { loadOrt, type SessionCache } from '../../runtime/sessions';
import { uniformHeads, type HeadAblationTarget } from '../../tasks/headImportance';
import type { TwoTowerModel } from './twoTowerModel';

/** The pair's cosine as a function of a mask over the heads of `stream` (one tower's layers, in graph order). */
export async function towerHeadAblation(model: TwoTowerModel, image: PreprocessedImage, text: string, asked: HeadStream | undefined, cache: SessionCache): Promise<HeadAblationTarget> {
  const stream = asked ?? 'vision';
  if (stream !== 'vision' && stream !== 'text') throw badInput(`A two-tower model has no ${stream} layers to ablate.`, 'Ablate the heads of its vision or text tower (--stream vision or --stream text).');
  const ort = await loadOrt();
  const [vision, texts] = await Promise.all([model.encodeImages([image]), model.encodeTexts([text])]);
  const own = stream === 'vision' ? vision : texts;
  const other = stream === 'vision' ? texts.embeds : vision.embeds;
  const score = cosineSimilarityMatrix(vision.embeds, texts.embeds, vision.dim)[0];
  const graph = stream === 'vision' ? model.vision : model.text;
  const embeds = model.outputName(graph, stream === 'vision' ? 'imageEmbeds' : 'textEmbeds');
  let feeds: Record<string, Tensor>;
  let input: string;
  if (stream === 'vision') {
    const pixels = findInput(graph.file, graph.graph.inputs, 'pixel_values', isPixelInput, 'pixel (float, rank 4)');
    const { height, width } = image.outputSize;
    feeds = { [pixels.name]: new ort.Tensor('float32', image.pixels, [1, 3, height, width]) };
    input = pixels.name;
  } else {
    const ids = findInput(graph.file, graph.graph.inputs, 'input_ids', isIdsInput, 'token ids (integer, rank 2)');
    const mask = graph.graph.inputs.find((i) => i.name === 'attention_mask');
    const { batch } = texts;
    feeds = { [ids.name]: intTensor(ort, batch.ids, ids, [1, batch.length]), ...(mask && { [mask.name]: intTensor(ort, batch.attentionMask, mask, [1, batch.length]) }) };
    input = ids.name;
  }
  const masked = await HeadMaskedGraph.open(graph.file, model.oneGraph ? input : undefined, [embeds], cache);
  const heads = uniformHeads(own.attention, masked.layers, `the ${stream} tower`);
  const allFeeds = model.withStandIns(ort, graph, feeds);
  return {
    stream, scoreKind: 'cosine', layers: masked.layers, heads, score,
    scoreWith: async (mask) => {
      const outputs = await masked.run(allFeeds, mask, heads);
      return cosineSimilarityMatrix(floatData(outputs, embeds, graph.file), other, vision.dim)[0];
    },
  };
}
