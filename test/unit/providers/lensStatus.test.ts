// The status bar's wording: model name, provider label, untrusted-workspace note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isInside, modelDisplayName, providerLabel, statusText, statusTooltip, UNTRUSTED_NOTE, type LensStatus } from '../../../src/shared/lensStatus';

const root = join('/ext', 'models');

test('a model shipped in the extension is marked bundled; any other folder shows its name', () => {
  assert.equal(modelDisplayName(join(root, 'shapes-clip'), root), 'shapes-clip (bundled)');
  assert.equal(modelDisplayName('/home/u/clip-vit-base-patch32/', root), 'clip-vit-base-patch32');
});

test('isInside: sub-folders only, not the root itself, siblings with a common prefix, or parents', () => {
  assert.equal(isInside('/ext/models/a', root), true);
  assert.equal(isInside('/ext/models/a/b', root), true);
  assert.equal(isInside('/ext/models', root), false);
  assert.equal(isInside('/ext/models-old/a', root), false);
  assert.equal(isInside('/ext/models/../other', root), false);
  assert.equal(isInside('/ext/models/..data', root), true);
});

test('providerLabel: the setting before a run; after it, what ran, and why it differs', () => {
  assert.equal(providerLabel('auto', undefined), 'auto');
  assert.equal(providerLabel('cpu', 'cpu'), 'cpu');
  assert.equal(providerLabel('auto', 'webgpu'), 'webgpu (auto)');
  assert.equal(providerLabel('webgpu', 'cpu'), 'cpu (webgpu failed)');
});

const trusted: LensStatus = { modelDir: join(root, 'shapes-clip'), providerSetting: 'auto', activeProvider: 'cpu', trusted: true };

test('status text: icon, model, provider', () => {
  assert.equal(statusText(trusted, root), '$(eye) shapes-clip (bundled) · cpu (auto)');
  assert.equal(statusText({ ...trusted, providerSetting: 'cpu', activeProvider: undefined, trusted: false }, root), '$(shield) shapes-clip (bundled) · cpu');
});

test('tooltip: the folder, the provider, and the trust note only when untrusted', () => {
  const lines = statusTooltip(trusted, root).split('\n');
  assert.deepEqual(lines, [
    'Multimodal Lens model: shapes-clip (bundled)',
    join(root, 'shapes-clip'),
    'Execution provider: auto (ran on cpu)',
    'Click to switch the model or the execution provider.',
  ]);
  const untrusted = statusTooltip({ ...trusted, activeProvider: undefined, trusted: false }, root).split('\n');
  assert.equal(untrusted[2], 'Execution provider: auto (no model loaded yet)');
  assert.equal(untrusted[3], UNTRUSTED_NOTE);
  // An expected fallback of the auto setting is one quiet line under the provider.
  const fallback = 'The webgpu execution provider could not start (no Vulkan loader); running on cpu instead.';
  assert.deepEqual(statusTooltip({ ...trusted, fallback }, root).split('\n').slice(2, 4), ['Execution provider: auto (ran on cpu)', fallback]);
});
