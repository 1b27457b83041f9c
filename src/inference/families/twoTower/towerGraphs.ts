/**
 * The two towers' graphs: two files (transformers.js's vision_model.onnx + text_model.onnx), or one graph that
 * holds both (Optimum's default `model.onnx` export of CLIP or SigLIP: both inputs, logits_per_image). A one-graph
 * export is opened once and seen as two towers, each with the taps its own input reaches. onnxruntime wants every
 * input of a graph fed and computes the whole graph whatever is fetched, so each tower's runs feed the other
 * tower's inputs a minimal stand-in (one blank image, one one-token text), whose outputs are not read.
 */
import type { Tensor } from 'onnxruntime-node';
import { badModel } from '../../../core/errors';
import type { ModelFolder } from '../../model/modelFolder';
import type { Size2D } from '../../model/preprocessorConfig';
import { findInput, fixedDim, isIdsInput, isPixelInput } from '../../runtime/graphInputs';
import { intTensor } from '../../runtime/graphIo';
import type { OrtModule } from '../../runtime/sessions';
import { TappedGraph } from '../../runtime/tappedGraph';

/** The vision and text graphs, and whether they are one graph. */
export interface TowerGraphs {
  vision: TappedGraph;
  text: TappedGraph;
  oneGraph: boolean;
}

/** Loads the towers' files, or the one-graph export as two tower views. */
export async function loadTowerGraphs(folder: ModelFolder): Promise<TowerGraphs> {
  const { vision, text, joint } = folder.files;
  if (vision && text) {
    const [visionGraph, textGraph] = await Promise.all([TappedGraph.load(vision), TappedGraph.load(text)]);
    return { vision: visionGraph, text: textGraph, oneGraph: false };
  }
  if (!joint) {
    throw badModel(folder.dir, 'has neither onnx/vision_model.onnx + onnx/text_model.onnx nor one onnx/model.onnx', 'Export the model with transformers.js or `optimum-cli export onnx`.');
  }
  const both = await TappedGraph.load(joint);
  const inputs = both.graph.inputs;
  const pixels = findInput(joint, inputs, 'pixel_values', isPixelInput, 'pixel (float, rank 4)');
  const ids = findInput(joint, inputs, 'input_ids', isIdsInput, 'token ids (integer, rank 2)');
  return { vision: both.towerView(pixels.name), text: both.towerView(ids.name), oneGraph: true };
}

/**
 * Stand-ins for the graph inputs `feeds` leaves out: zeros of one image of `imageSize` for a pixel input, one
 * token `tokenId` for an integer input (1 for an attention mask). Empty for a tower's own graph.
 */
export function standInFeeds(ort: OrtModule, graph: TappedGraph, feeds: Record<string, Tensor>, imageSize: Size2D, tokenId: number): Record<string, Tensor> {
  const missing = graph.graph.inputs.filter((input) => !(input.name in feeds));
  return Object.fromEntries(missing.map((input) => {
    if (isPixelInput(input)) {
      const [height, width] = [fixedDim(input, 2) ?? imageSize.height, fixedDim(input, 3) ?? imageSize.width];
      return [input.name, new ort.Tensor('float32', new Float32Array(3 * height * width), [1, 3, height, width])];
    }
    const value = /mask/i.test(input.name) ? 1n : BigInt(tokenId);
    return [input.name, intTensor(ort, new BigInt64Array([value]), input, [1, 1])];
  }));
}
