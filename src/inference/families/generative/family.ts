/** The generative family as the registry lists it: transformers.js's three graphs of an image-text-to-text model. */
import type { ModelFamily } from '../adapter';
import { GenerativeModel } from './generativeModel';
import { llavaImages } from './llavaImages';

/**
 * The config.json model types whose processor places one image's patch tokens, unsplit, where the image token is
 * (transformers.js's LlavaForConditionalGeneration and the classes that extend it). Idefics3 / SmolVLM tile the
 * image and shuffle pixels, Qwen2-VL merges patches with 3-D positions, LLaVA-NeXT tiles: not these.
 */
const LLAVA_TYPES = new Set(['llava', 'llava_qwen2', 'moondream1']);

/** Folders with onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx of a LLaVA-style model type. */
export const generativeFamily: ModelFamily = {
  name: 'generative',
  layout: `generative VLM (LLaVA-style, model_type ${[...LLAVA_TYPES].join(', ')}): onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx, as transformers.js ships them`,
  claims: (folder) => folder.files.visionEncoder !== undefined && folder.files.embedTokens !== undefined && folder.files.decoder !== undefined && LLAVA_TYPES.has(folder.config.modelType),
  open: (folder, sessions) => GenerativeModel.open(folder, sessions, ({ ort, vlm, visionFile }) => llavaImages(ort, folder.preprocessor, folder.config.vision.patchSize, vlm.imageToken, visionFile)),
};
