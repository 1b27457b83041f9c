/**
 * The prompts the Ask About Image panel suggests: for the bundled shapes-vlm the four it was trained on
 * (models/shapes-vlm/README.md, "Prompts and answers", its templates filled with a shape and colour of the shapes
 * world; other prompts mean nothing to it), for any other model a generic set.
 */
import { resolve } from 'node:path';
import { bundledModelDir } from '../inference/model/bundledModels';

const SHAPES_VLM = 'shapes-vlm';
const SHAPES_VLM_PROMPTS = ['Describe the image.', 'How many shapes?', 'What colour is the circle?', 'Where is the red circle?'];
const GENERIC_PROMPTS = ['Describe the image.', 'What objects are in the image?', 'Where is the main object?', 'What colour is the main object?'];

/** The prompts to offer for the model in `modelDir`, the default first; `extensionPath` holds the bundled models. */
export function suggestedPrompts(modelDir: string, extensionPath: string): string[] {
  return resolve(modelDir) === resolve(bundledModelDir(extensionPath, SHAPES_VLM)) ? SHAPES_VLM_PROMPTS : GENERIC_PROMPTS;
}
