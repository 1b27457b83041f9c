/**
 * Where the patches are among a vision tower's tokens: a CLS token first (CLIP, ViT) or none (SigLIP), then
 * the rows x cols grid in row-major order.
 */
import { badModel } from '../../core/errors';

/** The patch grid of a vision input and the position of its tokens. */
export interface PatchGrid {
  rows: number;
  cols: number;
  /** Index of the CLS token, undefined for models without one. */
  clsIndex?: number;
  /** Index of the first patch token. */
  firstPatch: number;
}

/** Derives the grid from the input size, the patch size and the token count the graph produced. */
export function patchGridFor(inputHeight: number, inputWidth: number, patchSize: number, tokens: number): PatchGrid {
  const rows = Math.floor(inputHeight / patchSize);
  const cols = Math.floor(inputWidth / patchSize);
  if (tokens === rows * cols + 1) return { rows, cols, clsIndex: 0, firstPatch: 1 };
  if (tokens === rows * cols) return { rows, cols, firstPatch: 0 };
  const side = Math.round(Math.sqrt(tokens - 1));
  if (side * side === tokens - 1) return { rows: side, cols: side, clsIndex: 0, firstPatch: 1 };
  throw badModel(
    'config.json',
    `a ${inputWidth}x${inputHeight} input with patch size ${patchSize} gives ${rows}x${cols} patches, but the vision graph produced ${tokens} tokens`,
    'Check vision_config.patch_size and image_size against the exported graph.',
  );
}
