/**
 * The extension's settings, read in one typed place. `model`, `executionProvider` and the pixel limit are
 * machine-scoped in package.json and restricted in untrusted workspaces, so a workspace cannot choose which
 * files are loaded, which native provider runs, or how large an image may be decoded.
 */
import * as vscode from 'vscode';
import type { HeadFusion } from '../analysis/rollout';
import { EXECUTION_PROVIDER_SETTINGS, type ExecutionProviderSetting } from '../inference/executionProvider';

/** The settings section. */
export const SECTION = 'multimodalLens';

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

const HEAD_FUSIONS: readonly HeadFusion[] = ['mean', 'max', 'min'];
const MB = 1024 * 1024;

/** Reads the current settings, with invalid values replaced by their defaults. */
export function readSettings(): LensSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const trusted = vscode.workspace.isTrusted;
  const ep = config.get<string>('executionProvider', 'auto');
  const fusion = config.get<string>('rollout.headFusion', 'mean');
  return {
    model: trusted ? config.get<string>('model', '').trim() : '',
    executionProvider: trusted ? EXECUTION_PROVIDER_SETTINGS.find((s) => s === ep) ?? 'auto' : 'cpu',
    promptTemplates: strings(config.get('promptTemplates'), ['a {label}']),
    labels: strings(config.get('labels'), []),
    hover: {
      enabled: config.get<boolean>('hover.enabled', true),
      maxImageBytes: positive(config.get('hover.maxImageMegabytes'), 20) * MB,
    },
    maxImagePixels: Math.round(positive(trusted ? config.get('maxImageMegapixels') : undefined, 50) * 1e6),
    rollout: {
      headFusion: HEAD_FUSIONS.find((f) => f === fusion) ?? 'mean',
      startLayer: Math.max(0, Math.floor(positive(config.get('rollout.startLayer'), 0))),
      residual: config.get<boolean>('rollout.residual', true),
    },
    cacheBytes: positive(config.get('cache.maxMegabytes'), 64) * MB,
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
