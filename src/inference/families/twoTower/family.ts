/** The two-tower family as the registry lists it: a vision graph and a text graph, or one graph holding both (CLIP, SigLIP). */
import type { ModelFamily } from '../adapter';
import { TwoTowerModel } from './twoTowerModel';

/** The config.json model types whose one-graph export is two towers (Optimum's model.onnx of CLIP or SigLIP). */
const ONE_GRAPH_TYPES = new Set(['clip', 'siglip']);

/** Folders with both towers' graphs, or with the one graph of a CLIP or SigLIP and no single-stream token layout. */
export const twoTowerFamily: ModelFamily = {
  name: 'twoTower',
  layout: 'two towers: onnx/vision_model.onnx + onnx/text_model.onnx, or both in one onnx/model.onnx (CLIP and SigLIP exports of transformers.js or Optimum)',
  claims: (folder) => (folder.files.vision !== undefined && folder.files.text !== undefined)
    || (folder.files.joint !== undefined && folder.config.tokenLayout === undefined && ONE_GRAPH_TYPES.has(folder.config.modelType)),
  open: (folder, sessions) => TwoTowerModel.open(folder, sessions),
};
