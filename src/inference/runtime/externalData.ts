/**
 * The model file onnxruntime creates a tapped session from: a copy of the original file with the additions
 * appended (a ModelProto that protobuf merges into it), written by the kernel (a reflink where the file system
 * has them), so the model's bytes never pass through JavaScript. Models over 2 GB keep their weights in files
 * beside the .onnx (protobuf's size limit), and onnxruntime loads them only from inside the model's folder (it
 * resolves links and refuses paths outside): the copy's folder holds hard links to them, or, where the scratch
 * folder is on another file system, the copy (small for such models) goes beside the original as a hidden file.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, constants, copyFile, link, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { badModel } from '../../core/errors';
import { sweepStaleTemporaries } from './optimizedModelCache';
import type { OnnxGraph } from '../onnx/onnxTypes';

/** What a session is created from: model bytes, or the path of a model file. */
export type ModelSource = Uint8Array | string;

/** A model source with temporary files to delete once the session exists. */
export interface PreparedModel {
  source: ModelSource;
  dispose(): Promise<void>;
}

/** How the copy's bytes before the tail are written: the file as it is unless told otherwise. */
export type CopyModel = (file: string, copy: string) => Promise<void>;

const reflinkCopy: CopyModel = (file, copy) => copyFile(file, copy, constants.COPYFILE_FICLONE);

/**
 * Writes `file` (through `copyModel`, for a rewrite such as branchOutputs.ts's) + `tail` where onnxruntime finds
 * its external data (see above) and returns its path.
 */
export async function tappedCopy(file: string, graph: OnnxGraph, tail: Uint8Array, scratch: string, copyModel = reflinkCopy): Promise<PreparedModel> {
  // A location comes from the model file: it must stay inside the model's folder (and so inside the copy's).
  const outside = graph.externalDataFiles.find((location) => isAbsolute(location) || normalize(location).split(sep).includes('..'));
  if (outside !== undefined) {
    throw badModel(file, `names an external data file outside its folder ("${outside}")`, 'Keep the weight files in the model\'s folder (or below it) and export the model again.');
  }
  await refuseLinksOutside(file, graph.externalDataFiles);
  await mkdir(scratch, { recursive: true });
  await sweepStaleTemporaries(scratch, tappedFolderOwner);
  const folder = await mkdtemp(join(scratch, `mmlens-tapped-${process.pid}-`));
  const removeFolder = () => rm(folder, { recursive: true, force: true });
  try {
    for (const location of graph.externalDataFiles) {
      await mkdir(dirname(join(folder, location)), { recursive: true });
      await link(join(dirname(file), location), join(folder, location));
    }
    return { source: await writeCopy(file, join(folder, basename(file)), tail, copyModel), dispose: removeFolder };
  } catch (error) {
    await removeFolder();
    const code = (error as NodeJS.ErrnoException).code;
    if (graph.externalDataFiles.length === 0 || (code !== 'EXDEV' && code !== 'EPERM')) throw error;
  }
  await sweepStaleTemporaries(dirname(file), (name) => tappedBesideOwner(basename(file), name));
  const beside = join(dirname(file), `.${basename(file)}.mmlens-tapped-${process.pid}-${randomBytes(6).toString('hex')}.onnx`);
  const dispose = () => rm(beside, { force: true });
  try {
    return { source: await writeCopy(file, beside, tail, copyModel), dispose };
  } catch (error) {
    await dispose();
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw badModel(file, `keeps its weights in external data files, and no tapped copy could be written where onnxruntime finds them (${reason})`, 'Put the cache folder on the same disk as the model, or make the model\'s folder writable.');
  }
}

/**
 * A location inside the folder by name can still leave it through a directory symlink: each one, links resolved,
 * must stay inside the model folder's real path (a location that does not exist fails later, when linked).
 */
async function refuseLinksOutside(file: string, locations: string[]): Promise<void> {
  if (locations.length === 0) return;
  const folder = await realpath(dirname(file));
  for (const location of locations) {
    const real = await realpath(join(dirname(file), location)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (real !== undefined && !real.startsWith(folder + sep)) {
      throw badModel(file, `names an external data file that leads outside its folder through a link ("${location}" is ${real})`, 'Keep the weight files themselves in the model\'s folder (or below it), not behind links to other folders, and export the model again.');
    }
  }
}

async function writeCopy(file: string, copy: string, tail: Uint8Array, copyModel: CopyModel): Promise<string> {
  await copyModel(file, copy);
  await appendFile(copy, tail);
  return copy;
}

/**
 * Which process made a tapped copy's folder in the scratch folder: the pid in `mmlens-tapped-<pid>-XXXXXX`,
 * undefined for one of an older version (`mmlens-tapped-XXXXXX`), null for any other name.
 */
export function tappedFolderOwner(name: string): number | undefined | null {
  if (!name.startsWith('mmlens-tapped-')) return null;
  const match = /^mmlens-tapped-(\d+)-[^-]+$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Which process wrote the hidden tapped copy `.MODEL.mmlens-tapped-<pid>-<hex>.onnx` of model file `model`:
 * its pid, undefined for one of an older version (no pid), null for any other name.
 */
export function tappedBesideOwner(model: string, name: string): number | undefined | null {
  const prefix = `.${model}.mmlens-tapped-`;
  if (!name.startsWith(prefix) || !name.endsWith('.onnx')) return null;
  const match = /^(\d+)-[0-9a-f]+\.onnx$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : /^[0-9a-f]+\.onnx$/.test(name.slice(prefix.length)) ? undefined : null;
}
