/**
 * Where a single-stream model's text and image tokens sit in its joint sequence, for an image of a given size. Our
 * own exports state one fixed layout in config.json (`token_layout`, a hint a folder may give); a Hugging Face ViLT
 * folder does not, and its layout follows from ViltConfig's fields and the image, as ViltEmbeddings builds the
 * sequence: `max_position_embeddings` text slots (`max_text_len` where an export writes the original ViLT's name),
 * then the image CLS token and the image's grid of `patch_size` patches in row-major order, every patch unless
 * `max_image_length` (when not negative) caps them: ViLT then keeps that many at random, which no map can be placed from.
 */
import { join } from 'node:path';
import { badInput, badModel } from '../../../core/errors';
import type { TokenLayout } from '../../../core/tokenLayout';
import { FieldReader, isJsonObject, type JsonObject } from '../../model/configFields';
import { readJsonFile } from '../../model/jsonFile';
import type { ModelFolder } from '../../model/modelFolder';
import type { Size2D } from '../../model/preprocessorConfig';

/** The token layout of one single-stream model. */
export interface JointLayout {
  /** The text slots every text is padded or cut to. */
  textLength: number;
  /** How errors that find the layout does not fit the graph name it: its text slots, its tokens for an image, the fix. */
  says: { slots: string; tokens(count: number, size: Size2D): string; fix: string };
  /** The layout for an image preprocessed to `size`. */
  layoutFor(size: Size2D): TokenLayout;
}

/** ViLT's image-text matching head; its other heads (VQA, masked LM, NLVR2) answer other questions than a match. */
const MATCHER = 'ViltForImageAndTextRetrieval';

const FIX = 'Use the config.json of the model\'s repository (ViltConfig writes every field), or add the exported model\'s value.';

/** config.json's token_layout (a fixed layout), else ViLT's fields, or a badModel error naming the missing field. */
export async function readJointLayout(folder: ModelFolder): Promise<JointLayout> {
  const hint = folder.config.tokenLayout;
  if (hint) {
    const slots = hint.textEnd - hint.textStart;
    const says = { slots: `token_layout has ${slots} text slots (text_end - text_start)`, tokens: (count: number) => `token_layout describes ${count} joint tokens`, fix: 'Correct token_layout (text_end, image_start, image_tokens) to match the exported graph.' };
    return { textLength: slots, says, layoutFor: () => hint };
  }
  const json = await readJsonFile(join(folder.dir, 'config.json'), 'config.json', FIX);
  return viltLayout(isJsonObject(json) ? json : {});
}

/** ViLT's layout from ViltConfig's fields (a retrieval head's): text slots, the image CLS, then each image's patch grid. */
function viltLayout(config: JsonObject): JointLayout {
  const reader = new FieldReader('config.json', FIX);
  const heads = config.architectures;
  if (Array.isArray(heads) && heads.length > 0 && !heads.includes(MATCHER)) {
    throw badModel('config.json', `names ${heads.map(String).join(', ')}; of ViLT's heads only ${MATCHER} (image-text matching) is supported`, 'Use a ViLT retrieval checkpoint such as dandelin/vilt-b32-finetuned-coco, exported with its logits output.');
  }
  const positions = reader.number(config, 'max_position_embeddings', 'positiveInt');
  const textLength = reader.number(config, 'max_text_len', 'positiveInt') ?? positions;
  if (textLength === undefined) throw badModel('config.json', 'has neither max_position_embeddings nor max_text_len, so the number of text slots of the ViLT model is unknown', FIX);
  if (positions !== undefined && textLength > positions) throw reader.invalid('max_text_len', `(${textLength}) is more than the ${positions} text positions (max_position_embeddings)`);
  const patch = reader.number(config, 'patch_size', 'positiveInt');
  if (patch === undefined) throw badModel('config.json', 'has no patch_size, so the ViLT model\'s grid of image patches is unknown', FIX);
  const modalities = reader.number(config, 'modality_type_vocab_size', 'positiveInt') ?? 2;
  if (modalities < 2) throw reader.invalid('modality_type_vocab_size', `is ${modalities}; ViLT gives its image tokens modality 1, so it needs at least 2`);
  const cap = reader.number(config, 'max_image_length', 'any') ?? -1;
  if (!Number.isInteger(cap)) throw reader.invalid('max_image_length', `must be a whole number (-1: every patch), got ${cap}`);
  return {
    textLength,
    says: {
      slots: `ViLT's ${textLength} text slots (max_text_len or max_position_embeddings)`,
      tokens: (count, size) => `ViLT's ${textLength} text slots, image CLS and patch_size ${patch} make ${count} joint tokens for a ${size.width}x${size.height} image`,
      fix: 'Correct max_position_embeddings (or max_text_len) and patch_size to the exported model\'s.',
    },
    layoutFor: (size) => {
      const rows = Math.floor(size.height / patch);
      const cols = Math.floor(size.width / patch);
      if (cap >= 0 && rows * cols > cap) {
        throw badInput(
          `An image preprocessed to ${size.width}x${size.height} has ${rows * cols} patches, more than config.json's max_image_length of ${cap}; ViLT keeps ${cap} of them drawn at random, so its attention cannot be placed on the image.`,
          'Use a smaller size.shortest_edge in preprocessor_config.json, or set max_image_length to -1 (every patch), as the released ViLT checkpoints have.',
        );
      }
      return { textStart: 0, textEnd: textLength, imageStart: textLength, imageCls: textLength, imageTokens: 1 + rows * cols, clsIndex: 0, rows, cols };
    },
  };
}
