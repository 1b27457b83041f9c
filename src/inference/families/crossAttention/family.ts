/** The cross-attention family as the registry lists it: one graph whose text encoder attends to the image (BLIP ITM). */
import type { ModelFamily } from '../adapter';
import { CrossAttentionModel } from './crossAttentionModel';

/** The config.json model types of cross-attention matchers. */
const MODEL_TYPES = new Set(['blip']);

/** Folders with one graph, no token layout, and a cross-attention matcher's model type. */
export const crossAttentionFamily: ModelFamily = {
  name: 'crossAttention',
  layout: 'cross-attention matcher: onnx/model.onnx of BlipForImageTextRetrieval (input_ids, attention_mask, pixel_values -> itm_score)',
  claims: (folder) => folder.files.joint !== undefined && folder.config.tokenLayout === undefined && MODEL_TYPES.has(folder.config.modelType),
  open: (folder, sessions) => CrossAttentionModel.open(folder, sessions),
};
