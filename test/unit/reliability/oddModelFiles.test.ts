// Issue 19 item 8: special files and odd values in a model folder. A FIFO named config.json hung the loader,
// tokenizer.json linked to /dev/zero was read for 603 MB and then blamed on permissions, model_type "constructor"
// found Object.prototype's members as its defaults, image_processor_type {"toString": 0} was an internal error
// with a stack trace, and image_std 1e-320 became 0 in float32 with the NaN blamed on the weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { parseModelConfig } from '../../../src/inference/model/modelConfig';
import { parsePreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';
import { useTinyClipService } from '../../support/tinyClipService';
import { rejectsLens } from './lensAssert';

const run = useTinyClipService('mmlens-oddfiles-');

function copyOfClip(name: string): string {
  const dir = join(run.work, name);
  cpSync(run.clip.dir, dir, { recursive: true });
  return dir;
}

test('a FIFO named config.json and tokenizer.json linked to /dev/zero are refused at once as not regular files', async () => {
  const fifo = copyOfClip('fifo');
  rmSync(join(fifo, 'config.json'));
  execFileSync('mkfifo', [join(fifo, 'config.json')]);
  const began = performance.now();
  await rejectsLens(loadModelFolder(fifo), { kind: 'badModel', what: [/^config\.json: is not a regular file \(a device, pipe or socket/] });
  const zero = copyOfClip('zero');
  rmSync(join(zero, 'tokenizer.json'));
  symlinkSync('/dev/zero', join(zero, 'tokenizer.json'));
  await rejectsLens(loadModelFolder(zero), { kind: 'badModel', what: [/^tokenizer\.json: is not a regular file/] });
  assert.ok(performance.now() - began < 2000, 'both refused without reading');
});

test('model_type naming an Object.prototype member reads as an unknown family, like any other unknown name', () => {
  const unknown = parseModelConfig({ model_type: 'no-such-family' });
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const config = parseModelConfig({ model_type: name });
    assert.equal(config.vision.patchSize, unknown.vision.patchSize, name);
    assert.equal(config.text.maxLength, unknown.text.maxLength, name);
  }
});

test('an image_processor_type that is not a string names no class: the defaults of an unnamed processor', () => {
  const unnamed = parsePreprocessorConfig({});
  assert.deepEqual(parsePreprocessorConfig({ image_processor_type: { toString: 0 } }), unnamed);
  assert.deepEqual(parsePreprocessorConfig({ feature_extractor_type: ['SiglipImageProcessor'] }), unnamed);
});

test('an image_std too small to divide by in float32 is refused, naming the field', async () => {
  for (const std of [1e-320, [0.5, 1e-9, 0.5]]) {
    await rejectsLens(() => parsePreprocessorConfig({ image_std: std }), { kind: 'badModel', what: [/image_std(\[1\])?"? .*too small to divide pixels by/] });
  }
  assert.deepEqual(parsePreprocessorConfig({ image_std: 1e-3 }).std, [1e-3, 1e-3, 1e-3]);
});
