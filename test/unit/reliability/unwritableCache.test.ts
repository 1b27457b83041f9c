// An unwritable or full cache folder (issue 19 item 7) made every analysis fail with a message blaming the model;
// now the analysis goes on without the cache, with one notice naming the folder, the OS reason and the fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { SessionCache } from '../../../src/inference/runtime/sessions';
import { visionCase, writeTinyClip, type TinyClip } from '../../support/tinyClip';

let clip: TinyClip;
let work: string;
let expected: Float32Array;
let feeds: Record<string, ort.Tensor>;

before(async () => {
  clip = writeTinyClip();
  work = mkdtempSync(join(tmpdir(), 'mmlens-unwritable-'));
  ({ feeds, expected } = await visionCase(clip));
});
after(() => {
  clip.remove();
  chmodSync(work, 0o700);
  rmSync(work, { recursive: true, force: true });
});

/** A cache location that cannot be written: a read-only folder, or (as root, where modes do not stop writes) a path under a regular file. */
function unwritableCacheDir(): { dir: string; reason: RegExp } {
  const dir = join(work, 'readonly');
  mkdirSync(dir);
  chmodSync(dir, 0o500);
  try {
    writeFileSync(join(dir, 'probe'), 'x');
  } catch {
    return { dir, reason: /EACCES|EPERM/ };
  }
  rmSync(join(dir, 'probe'));
  const file = join(work, 'a-file');
  writeFileSync(file, 'not a folder');
  return { dir: join(file, 'cache'), reason: /ENOTDIR/ };
}

test('an unwritable cache folder: the analysis runs without it and a notice names the folder, the reason and the fix', async () => {
  const { dir, reason } = unwritableCacheDir();
  const cache = new SessionCache('cpu', { cacheDir: dir });
  try {
    const model = join(clip.dir, 'onnx', 'vision_model.onnx');
    const open = await cache.get('vision', () => readFile(model), { file: model, additions: 'none' });
    const out = await open.run(feeds);
    assert.deepEqual([...(out.image_embeds.data as Float32Array)], [...expected], 'the same outputs as plain onnxruntime');
    const notices = cache.notices.filter((n) => n.includes('cache'));
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.ok(notices[0].includes(`The cache at ${dir} could not be written`), notices[0]);
    assert.match(notices[0], reason);
    assert.match(notices[0], /Free space/);
    assert.match(notices[0], /writable/);
    assert.match(notices[0], /multimodalLens\.cache/);
    // A second model goes straight past the cache, with no second notice.
    const again = await cache.get('vision-again', () => readFile(model), { file: model, additions: 'again' });
    assert.deepEqual([...((await again.run(feeds)).image_embeds.data as Float32Array)], [...expected]);
    assert.equal(cache.notices.filter((n) => n.includes('cache')).length, 1);
  } finally {
    await cache.release();
  }
});
