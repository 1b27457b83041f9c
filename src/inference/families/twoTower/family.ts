/** The two-tower family as the registry lists it: a vision graph and a text graph, or one graph holding both (CLIP, SigLIP). */
import type { ModelFamily } from '../adapter';
import { TwoTowerModel } from './twoTowerModel';

/** Folders with both towers' graphs, or with one graph and no single-stream token layout (Optimum's model.onnx). */
export const twoTowerFamily: ModelFamily = {
  name: 'twoTower',
  layout: 'two towers: onnx/vision_model.onnx + onnx/text_model.onnx, or both in one onnx/model.onnx (CLIP and SigLIP exports of transformers.js or Optimum)',
  claims: (folder) => (folder.files.vision !== undefined && folder.files.text !== undefined) || (folder.files.joint !== undefined && folder.config.tokenLayout === undefined),
  open: (folder, sessions) => TwoTowerModel.open(folder, sessions),
};
