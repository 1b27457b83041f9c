/**
 * The extension's settings as typed values, from whatever reads the raw ones (VS Code's configuration in
 * src/providers/settings.ts, a plain object in the tests). In an untrusted workspace the settings that choose
 * what is loaded and run (model folder, graph variant, execution provider, image pixel limit) and how much memory and reading it
 * may take (hover file size, cache size) keep their safe defaults, whatever any settings file says: the bundled
 * demo model, on the CPU, with the default limits. Labels and prompt templates stay the workspace's (they are its
 * data, bounded by SETTING_LIMITS and tokenised cancellably). The extension has no custom-operator library
 * setting, so a workspace cannot name native code to load either.
 */
import type { HeadFusion } from '../analysis/attention/rollout';
import { EXECUTION_PROVIDER_SETTINGS, type ExecutionProviderSetting } from '../inference/runtime/executionProvider';
import { MODEL_VARIANTS, type ModelVariant } from '../inference/model/onnxFiles';
import { ALIGNMENT_METHODS, type AlignmentMethod } from './analysisResult';
import { firstCharacters } from './characters';

/** The typed settings, as package.json declares them. */
export interface LensSettings {
  /** A model folder, or '' for the bundled demo model. Always '' in an untrusted workspace. */
  model: string;
  /** Always 'cpu' in an untrusted workspace. */
  executionProvider: ExecutionProviderSetting;
  /** Which of the folder's graph files runs. Always 'fp32' in an untrusted workspace. */
  modelVariant: ModelVariant;
  /** Zero-shot prompt templates; empty: the model's own (tasks/zeroShot.ts `modelTemplates`). */
  promptTemplates: string[];
  labels: string[];
  hover: { enabled: boolean; maxImageBytes: number };
  maxImagePixels: number;
  rollout: { headFusion: HeadFusion; startLayer: number; residual: boolean };
  /** How a two-tower model's alignment maps are made in the analysis panel (analyze --alignment). */
  alignmentMethod: AlignmentMethod;
  cacheBytes: number;
}

/** Reads one raw setting by its key under the `multimodalLens` section (undefined when unset). */
export type RawSetting = (key: string) => unknown;

const HEAD_FUSIONS: readonly HeadFusion[] = ['mean', 'max', 'min'];
const MB = 1024 * 1024;

/**
 * Upper bounds of every unbounded setting (package.json declares the same): a settings file, a workspace's
 * among them, once froze the host with 2,000 labels x 2,000 characters x 4 templates, and made one hover read a
 * 1.5 GB file. Values past a bound are cut to it.
 */
export const SETTING_LIMITS = {
  labels: 1000,
  promptTemplates: 16,
  /** Characters of one label or template. */
  textChars: 200,
  hoverImageMegabytes: 200,
  cacheMegabytes: 4096,
  maxImageMegapixels: 1000,
  rolloutStartLayer: 1000,
} as const;

/** The typed settings, with invalid values replaced by their defaults and the restricted ones ignored when untrusted. */
export function lensSettings(raw: RawSetting, trusted: boolean): LensSettings {
  const restricted = (key: string) => (trusted ? raw(key) : undefined);
  const ep = restricted('executionProvider');
  const fusion = raw('rollout.headFusion');
  const model = restricted('model');
  const variant = restricted('modelVariant');
  const alignment = raw('alignment.method');
  return {
    model: typeof model === 'string' ? model.trim() : '',
    executionProvider: trusted ? EXECUTION_PROVIDER_SETTINGS.find((s) => s === ep) ?? 'auto' : 'cpu',
    modelVariant: MODEL_VARIANTS.find((v) => v === variant) ?? 'fp32',
    promptTemplates: strings(raw('promptTemplates'), [], SETTING_LIMITS.promptTemplates),
    labels: strings(raw('labels'), [], SETTING_LIMITS.labels),
    hover: {
      enabled: raw('hover.enabled') !== false,
      maxImageBytes: Math.min(positive(restricted('hover.maxImageMegabytes'), 20), SETTING_LIMITS.hoverImageMegabytes) * MB,
    },
    maxImagePixels: Math.round(Math.min(positive(restricted('maxImageMegapixels'), 50), SETTING_LIMITS.maxImageMegapixels) * 1e6),
    rollout: {
      headFusion: HEAD_FUSIONS.find((f) => f === fusion) ?? 'mean',
      startLayer: Math.floor(Math.min(positive(raw('rollout.startLayer'), 0), SETTING_LIMITS.rolloutStartLayer)),
      residual: raw('rollout.residual') !== false,
    },
    alignmentMethod: ALIGNMENT_METHODS.find((m) => m === alignment) ?? 'patchTokens',
    cacheBytes: Math.min(positive(restricted('cache.maxMegabytes'), 64), SETTING_LIMITS.cacheMegabytes) * MB,
  };
}

/** The first `max` non-empty strings of an array setting, each cut to the text limit, or `fallback` when it holds none. */
function strings(value: unknown, fallback: string[], max: number): string[] {
  const list = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
  return list.length > 0 ? list.slice(0, max).map((v) => firstCharacters(v.trim(), SETTING_LIMITS.textChars)) : fallback;
}

/** A finite non-negative number, or `fallback`. */
function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}
