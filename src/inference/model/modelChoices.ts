/**
 * Model folders to offer in a picker: the subfolders of a root (bundled or downloaded models) that hold a
 * config.json and no unfinished download (a `*.part` file beside the configs or under onnx/).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The absolute paths of the model folders directly under `root`, sorted by name; [] when `root` does not exist. */
export async function listModelFolders(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
  } catch {
    return [];
  }
  const usable = await Promise.all(names.map((name) => isUsable(join(root, name))));
  return names.filter((_, i) => usable[i]).sort().map((name) => join(root, name));
}

async function isUsable(dir: string): Promise<boolean> {
  const hasConfig = await stat(join(dir, 'config.json')).then((s) => s.isFile(), () => false);
  if (!hasConfig) return false;
  const partial = await Promise.all([dir, join(dir, 'onnx')].map(async (d) => (await readdir(d).catch(() => [])).some((f) => f.endsWith('.part'))));
  return !partial.includes(true);
}
