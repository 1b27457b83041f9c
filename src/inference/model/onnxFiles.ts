/**
 * Finds the ONNX graphs of a model folder. transformers.js puts them under `onnx/`, Optimum at the folder
 * root; transformers.js also ships `_quantized`, `_fp16`, ... variants. Plain fp32 files win because the
 * analyses compare scores against the reference model; a variant is used only when it is all there is.
 */
import { open, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { badModel } from '../../core/errors';

/** Absolute paths of the graphs found; which are present decides two-tower or joint. */
export interface OnnxFiles {
  vision?: string;
  text?: string;
  joint?: string;
}

/** Variant suffixes in order of preference: int8 kernels run on every CPU, fp16 ones mostly need a GPU. */
export const VARIANTS = ['', '_quantized', '_int8', '_uint8', '_fp16', '_q4', '_q4f16', '_bnb4'];
const ROLES = { vision: 'vision_model', text: 'text_model', joint: 'model' } as const;

/** Looks for each graph under `onnx/` and at the root; notes say when a non-fp32 variant was chosen. */
export async function findOnnxFiles(dir: string, notes: string[]): Promise<OnnxFiles> {
  const files: OnnxFiles = {};
  for (const [role, base] of Object.entries(ROLES) as [keyof OnnxFiles, string][]) {
    const found = await findGraph(dir, base);
    if (!found) continue;
    await checkNotPointer(dir, found.path);
    files[role] = found.path;
    if (found.variant !== '') {
      notes.push(`Using ${relative(dir, found.path)} (no fp32 ${base}.onnx): scores differ slightly from the full-precision model.`);
    }
  }
  return files;
}

async function findGraph(dir: string, base: string): Promise<{ path: string; variant: string } | undefined> {
  for (const variant of VARIANTS) {
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
