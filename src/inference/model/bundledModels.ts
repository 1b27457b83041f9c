/**
 * The demo models shipped in the package's `models/` folder, so everything works with no download. The model
 * setting names a bundled model by its name, not its path: the extension's folder carries its version and moves
 * on every update, and a saved path into the old one would then point nowhere.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

/** The default model: the two-tower shapes-world CLIP. */
export const DEFAULT_MODEL = 'shapes-clip';

/** The folder of a bundled model, given the package root (the extension path, or the CLI's `..`). */
export function bundledModelDir(packageRoot: string, name = DEFAULT_MODEL): string {
  return join(packageRoot, 'models', name);
}

/** True when `name` is the name of a model bundled under `packageRoot` (a bare name, no path). */
function isBundledName(packageRoot: string, name: string): boolean {
  return name !== '' && !/[\\/]/.test(name) && name !== '.' && name !== '..' && existsSync(bundledModelDir(packageRoot, name));
}

/**
 * The model folder a setting means: empty, the default bundled model; a bundled model's name, that model; a path
 * into an older copy of this extension that is gone (`.../extensions/<publisher.name-version>/models/<bundled>`,
 * as Select Model saved them before names), the same bundled model now; anything else, the path as given.
 */
export function modelDirFromSetting(packageRoot: string, setting: string): string {
  if (setting === '') return bundledModelDir(packageRoot);
  if (isBundledName(packageRoot, setting)) return bundledModelDir(packageRoot, setting);
  const name = basename(setting);
  const stale = !existsSync(setting) && basename(dirname(setting)) === 'models' && setting.split(sep).includes('extensions');
  return stale && isBundledName(packageRoot, name) ? bundledModelDir(packageRoot, name) : setting;
}
