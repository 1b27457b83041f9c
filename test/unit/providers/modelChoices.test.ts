// The model folders offered by Select Model: sub-folders with a config.json and no unfinished download, sorted.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listModelFolders } from '../../../src/inference/model/modelChoices';

const root = mkdtempSync(join(tmpdir(), 'mmlens-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('only folders holding config.json are models, listed by name', async () => {
  for (const name of ['zeta', 'alpha', 'empty']) mkdirSync(join(root, name));
  writeFileSync(join(root, 'zeta', 'config.json'), '{}');
  writeFileSync(join(root, 'alpha', 'config.json'), '{}');
  mkdirSync(join(root, 'empty', 'config.json'));
  writeFileSync(join(root, 'config.json'), '{}');
  assert.deepEqual(await listModelFolders(root), [join(root, 'alpha'), join(root, 'zeta')]);
});

test('a folder whose download is unfinished (a .part file) is not offered until it completes', async () => {
  const downloads = join(root, 'downloads');
  for (const name of ['done', 'half']) mkdirSync(join(downloads, name, 'onnx'), { recursive: true });
  for (const name of ['done', 'half']) writeFileSync(join(downloads, name, 'config.json'), '{}');
  writeFileSync(join(downloads, 'half', 'onnx', 'vision_model.onnx.part'), 'partial');
  assert.deepEqual(await listModelFolders(downloads), [join(downloads, 'done')]);
  writeFileSync(join(downloads, 'half', 'tokenizer.json.part'), 'partial');
  rmSync(join(downloads, 'half', 'onnx', 'vision_model.onnx.part'));
  assert.deepEqual(await listModelFolders(downloads), [join(downloads, 'done')]);
  rmSync(join(downloads, 'half', 'tokenizer.json.part'));
  assert.deepEqual(await listModelFolders(downloads), [join(downloads, 'done'), join(downloads, 'half')]);
});

test('a root that does not exist has no models', async () => {
  assert.deepEqual(await listModelFolders(join(root, 'missing')), []);
});
