/** The generative family as the registry lists it: transformers.js's three graphs of an image-text-to-text model. */
import type { ModelFamily } from '../adapter';
import { LlavaModel } from './llavaModel';

/** Folders with onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx (LLaVA-style). */
export const generativeFamily: ModelFamily = {
  name: 'generative',
  layout: 'generative VLM (LLaVA-style): onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx, as transformers.js ships them',
  claims: (folder) => folder.files.visionEncoder !== undefined && folder.files.embedTokens !== undefined && folder.files.decoder !== undefined,
  open: (folder, sessions) => LlavaModel.open(folder, sessions),
};
