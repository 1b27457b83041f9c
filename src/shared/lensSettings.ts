/**
 * The extension's settings as typed values, from whatever reads the raw ones (VS Code's configuration in
 * src/providers/settings.ts, a plain object in the tests). In an untrusted workspace the settings that choose
 * what is loaded and run (model folder, execution provider, image pixel limit) keep their safe defaults, whatever
 * any settings file says: the bundled demo model, on the CPU, with the default limit. The extension has no
 * custom-operator library setting, so a workspace cannot name native code to load either.
 */
import type { HeadFusion } from '../analysis/attention/rollout';
import { EXECUTION_PROVIDER_SETTINGS, type ExecutionProviderSetting } from '../inference/runtime/executionProvider';

/** The typed settings, as package.json declares them. */
export interface LensSettings {
  /** A model folder, or '' for the bundled demo model. Always '' in an untrusted workspace. */
  model: string;
  /** Always 'cpu' in an untrusted workspace. */
  executionProvider: ExecutionProviderSetting;
  promptTemplates: string[];
  labels: string[];
  hover: { enabled: boolean; maxImageBytes: number };
  maxImagePixels: number;
  rollout: { headFusion: HeadFusion; startLayer: number; residual: boolean };
  cacheBytes: number;
}

/** Reads one raw setting by its key under the `multimodalLens` section (undefined when unset). */
export type RawSetting = (key: string) => unknown;

const HEAD_FUSIONS: readonly HeadFusion[] = ['mean', 'max', 'min'];
const MB = 1024 * 1024;

/** The typed settings, with invalid values replaced by their defaults and the restricted ones ignored when untrusted. */
export function lensSettings(raw: RawSetting, trusted: boolean): LensSettings {
  const restricted = (key: string) => (trusted ? raw(key) : undefined);
  const ep = restricted('executionProvider');
  const fusion = raw('rollout.headFusion');
  const model = restricted('model');
  return {
    model: typeof model === 'string' ? model.trim() : '',
    executionProvider: trusted ? EXECUTION_PROVIDER_SETTINGS.find((s) => s === ep) ?? 'auto' : 'cpu',
    promptTemplates: strings(raw('promptTemplates'), ['a {label}']),
    labels: strings(raw('labels'), []),
    hover: {
      enabled: raw('hover.enabled') !== false,
      maxImageBytes: positive(raw('hover.maxImageMegabytes'), 20) * MB,
    },
    maxImagePixels: Math.round(positive(restricted('maxImageMegapixels'), 50) * 1e6),
    rollout: {
      headFusion: HEAD_FUSIONS.find((f) => f === fusion) ?? 'mean',
      startLayer: Math.floor(positive(raw('rollout.startLayer'), 0)),
      residual: raw('rollout.residual') !== false,
    },
    cacheBytes: positive(raw('cache.maxMegabytes'), 64) * MB,
  };
}

/** Non-empty strings of an array setting, or `fallback` when it holds none. */
function strings(value: unknown, fallback: string[]): string[] {
  const list = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
  return list.length > 0 ? list.map((v) => v.trim()) : fallback;
}

/** A finite non-negative number, or `fallback`. */
function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}
