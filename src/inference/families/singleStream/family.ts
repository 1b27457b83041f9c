/** The single-stream family as the registry lists it: one joint graph over text and image tokens (ViLT, and ViLT-likes). */
import type { ModelFamily } from '../adapter';
import { SingleStreamModel } from './singleStreamModel';

/** The config.json model types of single-stream matchers whose layout follows from their own config fields. */
const MODEL_TYPES = new Set(['vilt']);

/** Folders with one joint graph whose config.json says where its text and image tokens sit, or Hugging Face ViLT's. */
export const singleStreamFamily: ModelFamily = {
  name: 'singleStream',
  layout: 'single stream: onnx/model.onnx of ViltForImageAndTextRetrieval (model_type "vilt"), or with a "token_layout" in config.json (see docs/cli.md)',
  claims: (folder) => folder.files.joint !== undefined && (folder.config.tokenLayout !== undefined || MODEL_TYPES.has(folder.config.modelType)),
  open: (folder, sessions) => SingleStreamModel.open(folder, sessions),
};
