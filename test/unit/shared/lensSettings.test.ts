// The typed settings (issue 7 item 11): trusted, every setting is read; untrusted, the model folder, the
// execution provider and the pixel limit keep their safe defaults whatever the settings say. Invalid values
// fall back to the defaults package.json declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lensSettings, SETTING_LIMITS } from '../../../src/shared/lensSettings';

const MB = 1024 * 1024;
const chosen: Record<string, unknown> = {
  model: ' /models/my-clip ',
  executionProvider: 'cuda',
  modelVariant: 'fp16',
  maxImageMegapixels: 200,
  promptTemplates: ['a photo of a {label}.', ' ', 7],
  labels: ['cat', 'dog'],
  'hover.enabled': false,
  'hover.maxImageMegabytes': 5,
  'rollout.headFusion': 'max',
  'rollout.startLayer': 2.7,
  'rollout.residual': false,
  'alignment.method': 'clearclip',
  'cache.maxMegabytes': 16,
};

test('a trusted workspace reads every setting', () => {
  assert.deepEqual(lensSettings((key) => chosen[key], true), {
    model: '/models/my-clip',
    executionProvider: 'cuda',
    modelVariant: 'fp16',
    promptTemplates: ['a photo of a {label}.'],
    labels: ['cat', 'dog'],
    hover: { enabled: false, maxImageBytes: 5 * MB },
    maxImagePixels: 200_000_000,
    rollout: { headFusion: 'max', startLayer: 2, residual: false },
    alignmentMethod: 'clearclip',
    cacheBytes: 16 * MB,
  });
});

test('an untrusted workspace runs the bundled model on the cpu with the default pixel, hover-file and cache limits, and reads the rest', () => {
  const settings = lensSettings((key) => chosen[key], false);
  assert.equal(settings.model, '');
  assert.equal(settings.executionProvider, 'cpu');
  assert.equal(settings.modelVariant, 'fp32');
  assert.equal(settings.maxImagePixels, 50_000_000);
  // The largest values allowed, from the workspace: the defaults instead.
  const greedy = lensSettings((key) => ({ ...chosen, 'hover.maxImageMegabytes': 200, 'cache.maxMegabytes': 4096 })[key], false);
  assert.equal(greedy.hover.maxImageBytes, 20 * MB);
  assert.equal(greedy.cacheBytes, 64 * MB);
  assert.equal(settings.hover.enabled, false);
  assert.deepEqual(settings.labels, ['cat', 'dog']);
  assert.deepEqual(settings.rollout, { headFusion: 'max', startLayer: 2, residual: false });
  assert.equal(settings.alignmentMethod, 'clearclip');
});

test('the alignment method setting offers exactly the methods analyze --alignment makes, the default first', () => {
  const declared = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).contributes.configuration.properties['multimodalLens.alignment.method'];
  assert.deepEqual(declared.enum, ['patchTokens', 'maskclip', 'values', 'clearclip']);
  assert.equal(declared.enumDescriptions.length, declared.enum.length);
  assert.equal(declared.default, lensSettings(() => undefined, true).alignmentMethod);
  for (const method of declared.enum) assert.equal(lensSettings((key) => (key === 'alignment.method' ? method : undefined), true).alignmentMethod, method);
});

test('unset or invalid values take the defaults', () => {
  const invalid: Record<string, unknown> = { model: 42, executionProvider: 'tpu', modelVariant: 'fp8', maxImageMegapixels: -1, promptTemplates: 'a {label}', labels: [], 'hover.maxImageMegabytes': Number.NaN, 'rollout.headFusion': 'median', 'rollout.startLayer': -3, 'alignment.method': 'MaskCLIP', 'cache.maxMegabytes': '64' };
  const expected = {
    model: '',
    executionProvider: 'auto',
    modelVariant: 'fp32',
    promptTemplates: [],
    labels: [],
    hover: { enabled: true, maxImageBytes: 20 * MB },
    maxImagePixels: 50_000_000,
    rollout: { headFusion: 'mean', startLayer: 0, residual: true },
    alignmentMethod: 'patchTokens',
    cacheBytes: 64 * MB,
  };
  assert.deepEqual(lensSettings((key) => invalid[key], true), expected);
  assert.deepEqual(lensSettings(() => undefined, true), expected);
});

test('every unbounded setting is cut to its bound, as package.json declares it (issue 19 item 4)', () => {
  const huge: Record<string, unknown> = {
    labels: Array.from({ length: 2000 }, (_, i) => `${i}${'x'.repeat(2000)}`),
    promptTemplates: Array(40).fill(`a ${'y'.repeat(500)} {label}`),
    'hover.maxImageMegabytes': 1e9,
    'cache.maxMegabytes': 1e9,
    maxImageMegapixels: 1e9,
    'rollout.startLayer': 1e9,
  };
  const settings = lensSettings((key) => huge[key], true);
  assert.equal(settings.labels.length, 1000);
  assert.ok(settings.labels.every((l) => l.length === 200));
  assert.equal(settings.promptTemplates.length, 16);
  assert.equal(settings.hover.maxImageBytes, 200 * 1024 * 1024);
  assert.equal(settings.cacheBytes, 4096 * 1024 * 1024);
  assert.equal(settings.maxImagePixels, 1000 * 1e6);
  assert.equal(settings.rollout.startLayer, 1000);
  const declared = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).contributes.configuration.properties;
  assert.equal(declared['multimodalLens.labels'].maxItems, SETTING_LIMITS.labels);
  assert.equal(declared['multimodalLens.labels'].items.maxLength, SETTING_LIMITS.textChars);
  assert.equal(declared['multimodalLens.promptTemplates'].maxItems, SETTING_LIMITS.promptTemplates);
  assert.equal(declared['multimodalLens.hover.maxImageMegabytes'].maximum, SETTING_LIMITS.hoverImageMegabytes);
  assert.equal(declared['multimodalLens.cache.maxMegabytes'].maximum, SETTING_LIMITS.cacheMegabytes);
  assert.equal(declared['multimodalLens.maxImageMegapixels'].maximum, SETTING_LIMITS.maxImageMegapixels);
  assert.equal(declared['multimodalLens.rollout.startLayer'].maximum, SETTING_LIMITS.rolloutStartLayer);
});

test('package.json restricts in untrusted workspaces exactly the settings lensSettings ignores there', () => {
  const readKeys = (trusted: boolean) => {
    const keys = new Set<string>();
    lensSettings((key) => {
      keys.add(key);
      return chosen[key];
    }, trusted);
    return keys;
  };
  const untrusted = readKeys(false);
  const ignored = [...readKeys(true)].filter((key) => !untrusted.has(key)).map((key) => `multimodalLens.${key}`).sort();
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
  assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), ignored);
  assert.deepEqual(ignored, ['multimodalLens.cache.maxMegabytes', 'multimodalLens.executionProvider', 'multimodalLens.hover.maxImageMegabytes', 'multimodalLens.maxImageMegapixels', 'multimodalLens.model', 'multimodalLens.modelVariant']);
});
