/** The two-tower family as the registry lists it: a vision graph and a text graph (CLIP, SigLIP towers). */
import type { ModelFamily } from '../adapter';
import { TwoTowerModel } from './twoTowerModel';

/** Folders with both towers' graphs. */
export const twoTowerFamily: ModelFamily = {
  name: 'twoTower',
  layout: 'two towers: onnx/vision_model.onnx + onnx/text_model.onnx (CLIP and SigLIP exports of transformers.js or Optimum)',
  claims: (folder) => folder.files.vision !== undefined && folder.files.text !== undefined,
  open: (folder, sessions) => TwoTowerModel.open(folder, sessions),
};
