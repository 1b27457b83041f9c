/**
 * Models over 2 GB keep their weights in files beside the .onnx (protobuf's size limit). A tapped copy
 * created from bytes has no folder, so onnxruntime could not find them: such a copy is written into a
 * private temporary folder that links to the original weight files, and the session is created from there.
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { OnnxGraph } from './onnx/onnxTypes';

/** What a session is created from: model bytes, or the path of a model whose weights lie beside it. */
export type ModelSource = Uint8Array | string;

/** Returns `bytes` as they are, or, for a model with external data, the path of a tapped copy that finds it. */
export async function withExternalData(file: string, graph: OnnxGraph, bytes: Uint8Array): Promise<ModelSource> {
  if (!graph.usesExternalData) return bytes;
  const folder = await mkdtemp(join(tmpdir(), 'mmlens-tapped-'));
  for (const location of graph.externalDataFiles) {
    const link = join(folder, location);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(dirname(file), location), link);
  }
  const copy = join(folder, basename(file));
  await writeFile(copy, bytes);
  return copy;
}
