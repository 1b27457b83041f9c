/** Model folders to offer in a picker: the subfolders of a root (bundled or downloaded models) that hold a config.json. */
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
  const hasConfig = await Promise.all(names.map((name) => stat(join(root, name, 'config.json')).then((s) => s.isFile(), () => false)));
  return names.filter((_, i) => hasConfig[i]).sort().map((name) => join(root, name));
}
