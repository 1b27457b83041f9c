/**
 * Finds the ONNX graphs of a model folder. transformers.js puts them under `onnx/`, Optimum at the folder
 * root; transformers.js also ships `_quantized`, `_fp16`, ... variants. Plain fp32 files win by default because
 * the analyses compare scores against the reference model; another variant is used when asked for
 * (`--variant`, `multimodalLens.modelVariant`) or when it is all there is, and a note says which file ran.
 */
import { open, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { badModel } from '../../core/errors';

/** Absolute paths of the graphs found; which are present decides the family (two towers, one joint graph, a VLM's three). */
export interface OnnxFiles {
  vision?: string;
  text?: string;
  joint?: string;
  /** A generative VLM's image encoder (pixel_values -> image_features), as transformers.js names it. */
  visionEncoder?: string;
  /** A generative VLM's token embedding (input_ids -> inputs_embeds). */
  embedTokens?: string;
  /** A generative VLM's decoder with its KV cache (decoder_model_merged.onnx). */
  decoder?: string;
}

/** The three graphs of a generative VLM in transformers.js's layout, by role. */
export const GENERATIVE_GRAPHS = { visionEncoder: 'vision_encoder', embedTokens: 'embed_tokens', decoder: 'decoder_model_merged' } as const;

/** The variants transformers.js ships, by the name a user picks (`fp32` is the plain file, no suffix). */
export const MODEL_VARIANTS = ['fp32', 'quantized', 'int8', 'uint8', 'fp16', 'q4', 'q4f16', 'bnb4'] as const;
/** One of MODEL_VARIANTS. */
export type ModelVariant = (typeof MODEL_VARIANTS)[number];
/** Variant suffixes in order of preference: int8 kernels run on every CPU, fp16 ones mostly need a GPU. */
export const VARIANTS = MODEL_VARIANTS.map(suffixOf);
const ROLES = { vision: 'vision_model', text: 'text_model', joint: 'model', ...GENERATIVE_GRAPHS } as const;

/** The file-name suffix of a variant: '' for fp32, `_fp16` for fp16, ... */
function suffixOf(variant: ModelVariant): string {
  return variant === 'fp32' ? '' : `_${variant}`;
}

/**
 * Looks for each graph under `onnx/` and at the root, `variant` first, then the others in order of preference;
 * notes say when a file other than the fp32 one runs, and when the variant asked for is not there.
 */
export async function findOnnxFiles(dir: string, notes: string[], variant: ModelVariant = 'fp32'): Promise<OnnxFiles> {
  const files: OnnxFiles = {};
  const wanted = suffixOf(variant);
  const order = [wanted, ...VARIANTS.filter((v) => v !== wanted)];
  for (const [role, base] of Object.entries(ROLES) as [keyof OnnxFiles, string][]) {
    const found = await findGraph(dir, base, order);
    if (!found) continue;
    await checkNotPointer(dir, found.path);
    files[role] = found.path;
    const file = relative(dir, found.path);
    // Beside both towers the one graph is read for its logit head only, so which variant it is does not matter.
    if (role === 'joint' && files.vision && files.text) continue;
    if (found.variant !== wanted) {
      const missing = variant === 'fp32' ? `no fp32 ${base}.onnx` : `no ${base}${wanted}.onnx, the ${variant} variant asked for`;
      notes.push(`Using ${file} (${missing})${found.variant === '' ? '.' : `: ${howFar(found.variant)}`}`);
    } else if (found.variant !== '') {
      notes.push(`Using ${file}, the ${variant} variant asked for: ${howFar(found.variant)}`);
    }
  }
  return files;
}

/** How far a variant's scores are from the full-precision model's: 4-bit weights move them more than 8 or 16 bits. */
function howFar(suffix: string): string {
  return ['_q4', '_q4f16', '_bnb4'].includes(suffix)
    ? 'its weights are 4-bit, so scores and maps can differ noticeably from the full-precision model.'
    : 'scores differ slightly from the full-precision model.';
}

async function findGraph(dir: string, base: string, order: string[]): Promise<{ path: string; variant: string } | undefined> {
  for (const variant of order) {
    for (const sub of ['onnx', '']) {
      const path = join(dir, sub, `${base}${variant}.onnx`);
      if (await isFile(path)) return { path, variant };
    }
  }
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A clone without `git lfs pull` leaves 130-byte text stubs where the graphs should be; say so plainly. */
async function checkNotPointer(dir: string, path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const name = relative(dir, path);
    if (bytesRead === 0) throw badModel(name, 'is empty', 'Export or download the model again.');
    if (head.subarray(0, bytesRead).toString('latin1').startsWith('version https://git-lfs')) {
      throw badModel(name, 'is a Git LFS pointer, not the model', `Run \`git lfs pull\` in ${dir}, or download the file itself.`);
    }
  } finally {
    await handle.close();
  }
}
