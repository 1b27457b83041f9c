/**
 * What the status bar says about the model and the execution provider, as plain strings, so the wording is
 * tested without VS Code.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';

/** The state the status bar shows. */
export interface LensStatus {
  /** The model folder in use. */
  modelDir: string;
  /** The user's execution provider setting as in effect ('cpu' in an untrusted workspace). */
  providerSetting: string;
  /** The provider that actually ran, once a model has been loaded. */
  activeProvider?: string;
  /** Why the auto setting fell back to that provider, when it did (a quiet line in the tooltip). */
  fallback?: string;
  /** False in an untrusted workspace, where model and provider settings are ignored. */
  trusted: boolean;
}

/** The model's short name: its folder name, marked "(bundled)" for a model shipped in `bundledRoot`. */
export function modelDisplayName(modelDir: string, bundledRoot: string): string {
  const name = basename(resolve(modelDir));
  return isInside(modelDir, bundledRoot) ? `${name} (bundled)` : name;
}

/** True when `path` lies inside the folder `root`. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== '' && rel.split(sep)[0] !== '..' && !isAbsolute(rel);
}

/**
 * The provider as shown: the setting until a model ran; then the provider that ran, with the setting when it
 * was `auto` ("webgpu (auto)") or when the chosen one could not start ("cpu (webgpu failed)").
 */
export function providerLabel(setting: string, active: string | undefined): string {
  if (!active || active === setting) return setting;
  return setting === 'auto' ? `${active} (auto)` : `${active} (${setting} failed)`;
}

/** The status bar text, with a codicon: a shield in an untrusted workspace, an eye otherwise. */
export function statusText(status: LensStatus, bundledRoot: string): string {
  const icon = status.trusted ? '$(eye)' : '$(shield)';
  return `${icon} ${modelDisplayName(status.modelDir, bundledRoot)} · ${providerLabel(status.providerSetting, status.activeProvider)}`;
}

/** The message shown where workspace trust limits the extension. */
export const UNTRUSTED_NOTE = 'This workspace is not trusted: the model and execution provider settings are ignored, and the bundled demo model runs on cpu.';

/** The status bar tooltip, one fact per line. */
export function statusTooltip(status: LensStatus, bundledRoot: string): string {
  const ran = status.activeProvider ? `ran on ${status.activeProvider}` : 'no model loaded yet';
  return [
    `Multimodal Lens model: ${modelDisplayName(status.modelDir, bundledRoot)}`,
    status.modelDir,
    `Execution provider: ${status.providerSetting} (${ran})`,
    ...(status.fallback ? [status.fallback] : []),
    ...(status.trusted ? [] : [UNTRUSTED_NOTE]),
    'Click to switch the model or the execution provider.',
  ].join('\n');
}
