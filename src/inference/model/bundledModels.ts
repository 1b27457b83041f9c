/** The demo models shipped in the package's `models/` folder, so everything works with no download. */
import { join } from 'node:path';

/** The default model: the two-tower shapes-world CLIP. */
export const DEFAULT_MODEL = 'shapes-clip';

/** The folder of a bundled model, given the package root (the extension path, or the CLI's `..`). */
export function bundledModelDir(packageRoot: string, name = DEFAULT_MODEL): string {
  return join(packageRoot, 'models', name);
}
