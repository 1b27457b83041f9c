// The model setting names bundled models by name; paths saved into an older extension folder still find them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledModelDir, modelDirFromSetting } from '../../../src/inference/model/bundledModels';

const root = join(__dirname, '../../..');

test('empty is the default model, a bundled name that model, and any other value the path as given', () => {
  assert.equal(modelDirFromSetting(root, ''), bundledModelDir(root));
  assert.equal(modelDirFromSetting(root, 'shapes-fusion'), join(root, 'models', 'shapes-fusion'));
  assert.equal(modelDirFromSetting(root, '/data/my-clip'), '/data/my-clip');
  assert.equal(modelDirFromSetting(root, 'not-bundled'), 'not-bundled');
  assert.equal(modelDirFromSetting(root, '..'), '..');
});

test('a path into a gone copy of the extension becomes the same bundled model; an existing folder of that name stays', () => {
  const stale = join('/home/u/.vscode/extensions/multimodal-lens.multimodal-lens-0.0.9/models/shapes-fusion');
  assert.equal(modelDirFromSetting(root, stale), join(root, 'models', 'shapes-fusion'));
  const work = mkdtempSync(join(tmpdir(), 'mmlens-bundled-'));
  try {
    const own = join(work, 'extensions', 'models', 'shapes-clip');
    mkdirSync(own, { recursive: true });
    assert.equal(modelDirFromSetting(root, own), own, 'a folder that exists is the user\'s');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
