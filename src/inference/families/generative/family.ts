/** The generative family as the registry lists it: transformers.js's three graphs of an image-text-to-text model, LLaVA-style, Idefics3 or Qwen2-VL. */
import { badModel } from '../../../core/errors';
import type { ModelFamily } from '../adapter';
import type { ModelFolder } from '../../model/modelFolder';
import { GenerativeModel, type PlacementFactory } from './generativeModel';
import { idefics3Images } from './idefics3Images';
import { llavaImages } from './llavaImages';
import { qwen2vlImages } from './qwen2vlImages';

/**
 * The config.json model types whose processor places one image's patch tokens, unsplit, where the image token is
 * (transformers.js's LlavaForConditionalGeneration and the classes that extend it without their own processor).
 */
const LLAVA_TYPES = new Set(['llava', 'llava_qwen2', 'moondream1']);
/** Idefics3 and SmolVLM (transformers.js's Idefics3ForConditionalGeneration and SmolVLMForConditionalGeneration). */
const IDEFICS3_TYPES = new Set(['idefics3', 'smolvlm']);
/** Qwen2-VL and Qwen2.5-VL, whose processors and positions are the same (Qwen2.5-VL's vision encoder differs inside its graph). */
const QWEN2VL_TYPES = new Set(['qwen2_vl', 'qwen2_5_vl']);

/** The image handling of a folder's model type; LLaVA-NeXT (its own tiling) and Florence-2 (an encoder-decoder): not yet. */
function placementFor(folder: ModelFolder): PlacementFactory | undefined {
  const type = folder.config.modelType;
  if (LLAVA_TYPES.has(type)) return ({ ort, vlm, visionFile }) => llavaImages(ort, folder.preprocessor, folder.config.vision.patchSize, vlm.imageToken, visionFile);
  const { tiling } = folder.preprocessor;
  if (IDEFICS3_TYPES.has(type) && tiling) return ({ ort, vlm, visionFile }) => idefics3Images(ort, { ...folder.preprocessor, tiling }, vlm.imageToken, visionFile);
  const { patching } = folder.preprocessor;
  if (QWEN2VL_TYPES.has(type) && patching) {
    return ({ ort, vlm, visionFile }) => {
      if (vlm.visionStartTokenId === undefined) throw badModel('config.json', 'has no vision_start_token_id, which Qwen2-VL\'s positions count from', 'Use the config.json from the model\'s repository.');
      return qwen2vlImages(ort, { ...folder.preprocessor, patching }, vlm.imageToken, vlm.visionStartTokenId, visionFile);
    };
  }
  return undefined;
}

/** Folders with onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx of a model type read here. */
export const generativeFamily: ModelFamily = {
  name: 'generative',
  layout: `generative VLM (model_type ${[...LLAVA_TYPES, ...IDEFICS3_TYPES, ...QWEN2VL_TYPES].join(', ')}; Idefics3 with its Idefics3ImageProcessor, Qwen2-VL with its Qwen2VLImageProcessor): onnx/vision_encoder.onnx, onnx/embed_tokens.onnx and onnx/decoder_model_merged.onnx, as transformers.js ships them`,
  claims: (folder) => folder.files.visionEncoder !== undefined && folder.files.embedTokens !== undefined && folder.files.decoder !== undefined && placementFor(folder) !== undefined,
  open: (folder, sessions) => GenerativeModel.open(folder, sessions, placementFor(folder)!),
};
