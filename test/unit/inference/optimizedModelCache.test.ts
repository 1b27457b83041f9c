// The on-disk optimized-model cache (issue 6, issue 7 item 8): a second session comes from the cache without
// loading the model, gives plain onnxruntime's outputs, and a damaged entry is detected, deleted and rebuilt.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OptimizedModelCache } from '../../../src/inference/runtime/optimizedModelCache';
import { SessionCache, type SessionFactory } from '../../../src/inference/runtime/sessions';
import { visionCase, writeTinyClip, type TinyClip } from '../../support/tinyClip';

let clip: TinyClip;
let cacheDir: string;
let expected: Float32Array;
let feeds: Record<string, ort.Tensor>;

before(async () => {
  clip = writeTinyClip();
  cacheDir = mkdtempSync(join(tmpdir(), 'mmlens-ortcache-'));
  ({ feeds, expected } = await visionCase(clip));
});
after(() => {
  clip.remove();
  rmSync(cacheDir, { recursive: true, force: true });
});

const visionFile = () => join(clip.dir, 'onnx', 'vision_model.onnx');
const identity = () => ({ file: visionFile(), additions: 'none' });

/** What each session was created from: 'bytes', or 'cache' for a path inside the cache folder, and its optimization level. */
function recordingFactory(): { factory: SessionFactory; created: string[] } {
  const created: string[] = [];
  const factory: SessionFactory = (source, options) => {
    created.push(`${typeof source === 'string' && source.startsWith(cacheDir) ? 'cache' : 'bytes'}/${options.graphOptimizationLevel}`);
    return typeof source === 'string' ? ort.InferenceSession.create(source, options) : ort.InferenceSession.create(source, options);
  };
  return { factory, created };
}

/** A fresh SessionCache over the cache folder (as a new process would have) and the embeddings of one run. */
async function session(load: () => Promise<Uint8Array>): Promise<{ embeds: number[]; created: string[] }> {
  const { factory, created } = recordingFactory();
  const cache = new SessionCache('cpu', { cacheDir, createSession: factory });
  const open = await cache.get('vision', load, identity());
  const out = await open.run(feeds);
  await cache.release();
  return { embeds: [...(out.image_embeds.data as Float32Array)], created };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const readModel = () => readFile(visionFile());
const mustNotLoad = () => Promise.reject(new Error('the model was loaded although the cache has it'));

function entryFolder(): string {
  const entries = readdirSync(cacheDir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  assert.equal(entries.length, 1, `one entry in ${entries.join(', ')}`);
  return join(cacheDir, entries[0]);
}

/** Every file of the entry is listed in integrity.json with its size and SHA-256, computed here independently. */
function assertIntact(folder: string): void {
  const integrity = JSON.parse(readFileSync(join(folder, 'integrity.json'), 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
  const files = readdirSync(folder).filter((n) => n !== 'integrity.json').sort();
  assert.deepEqual(Object.keys(integrity.files).sort(), files);
  assert.ok(files.includes('model.onnx') && files.includes('model.weights'), `optimized model and weights file: ${files.join(', ')}`);
  for (const name of files) {
    assert.equal(integrity.files[name].sha256, sha256(join(folder, name)), name);
    assert.equal(integrity.files[name].bytes, readFileSync(join(folder, name)).length, name);
  }
}

test('the first session writes the optimized model; the next one loads it without the model bytes, with the same outputs', async () => {
  const cold = await session(readModel);
  assert.deepEqual(cold.created, ['bytes/all']);
  assert.deepEqual(cold.embeds, [...expected]);
  assertIntact(entryFolder());
  const warm = await session(mustNotLoad);
  assert.deepEqual(warm.created, ['cache/disabled']);
  assert.deepEqual(warm.embeds, [...expected]);
});

test('a corrupted, truncated or unlisted cache file is detected, deleted and rebuilt, never loaded', async () => {
  const damages: [string, (folder: string) => void][] = [
    ['one byte of the weights changed', (folder) => {
      const path = join(folder, 'model.weights');
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(path, bytes);
    }],
    ['the optimized model truncated', (folder) => truncateSync(join(folder, 'model.onnx'), 100)],
    ['integrity.json missing', (folder) => rmSync(join(folder, 'integrity.json'))],
    ['integrity.json not JSON', (folder) => writeFileSync(join(folder, 'integrity.json'), '{"files": ')],
    ['a file that integrity.json does not list', (folder) => writeFileSync(join(folder, 'extra.bin'), 'x')],
  ];
  await session(readModel);
  for (const [label, damage] of damages) {
    damage(entryFolder());
    const rebuilt = await session(readModel);
    assert.deepEqual(rebuilt.created, ['bytes/all'], `${label}: created cold, not from the damaged entry`);
    assert.deepEqual(rebuilt.embeds, [...expected], label);
    assertIntact(entryFolder());
    assert.deepEqual((await session(mustNotLoad)).created, ['cache/disabled'], `${label}: the rebuilt entry serves`);
  }
});

test('the key follows the content, the additions and the provider, not the path', async () => {
  const cache = new OptimizedModelCache(cacheDir);
  const copyDir = mkdtempSync(join(tmpdir(), 'mmlens-copy-'));
  try {
    const copy = join(copyDir, 'renamed.onnx');
    copyFileSync(visionFile(), copy);
    const base = await cache.key(identity(), 'cpu', '1.30.0');
    assert.match(base, /^[0-9a-f]{40}$/);
    assert.equal(await cache.key({ file: copy, additions: 'none' }, 'cpu', '1.30.0'), base, 'same content elsewhere');
    assert.notEqual(await cache.key({ file: visionFile(), additions: 'taps' }, 'cpu', '1.30.0'), base);
    assert.notEqual(await cache.key(identity(), 'webgpu', '1.30.0'), base);
    assert.notEqual(await cache.key(identity(), 'cpu', '1.31.0'), base);
    const bytes = readFileSync(copy);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(copy, bytes);
    // hashes.json remembers hashes by path, size, mtime and inode: a rewritten file has a new mtime.
    const mtime = statSync(copy).mtimeMs / 1000 + 10;
    utimesSync(copy, mtime, mtime);
    assert.notEqual(await new OptimizedModelCache(cacheDir).key({ file: copy, additions: 'none' }, 'cpu', '1.30.0'), base, 'one byte changed');
    assert.equal(await new OptimizedModelCache(cacheDir).key(identity(), 'cpu', '1.30.0'), base, 'a new process finds the same key');
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
});

test('a model rewritten in place with its size and mtime kept (rsync --inplace -t) is hashed again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-inplace-'));
  try {
    const file = join(dir, 'model.onnx');
    const first = Buffer.alloc(4096, 1);
    writeFileSync(file, first);
    // A whole second, which utimes sets back exactly.
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const before = statSync(file);
    const model = { file, additions: 'none' };
    const cache = new OptimizedModelCache(cacheDir);
    const firstKey = await cache.key(model, 'cpu', '1.30.0');
    const second = Buffer.alloc(4096, 2);
    // Rewritten in place (same inode, same size), then the mtime set back, until the kernel's coarse clock
    // has moved the change time (a write in the same clock tick keeps it).
    for (let i = 0; statSync(file).ctimeMs === before.ctimeMs || i === 0; i++) {
      writeFileSync(file, second, { flag: 'r+' });
      utimesSync(file, 1_700_000_000, 1_700_000_000);
    }
    const after = statSync(file);
    assert.equal(after.ino, before.ino, 'rewritten in place');
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs, 'mtime set back');
    const expectedHash = createHash('sha256').update(second).digest('hex');
    assert.equal(sha256(file), expectedHash);
    // The key is computed from the hash; the hashes.json entry of the new identity holds the new bytes' hash.
    for (const fresh of [cache, new OptimizedModelCache(cacheDir)]) {
      const key = await fresh.key(model, 'cpu', '1.30.0');
      assert.notEqual(key, firstKey, 'the old graph\'s key is not served');
    }
    const remembered = JSON.parse(readFileSync(join(cacheDir, 'hashes.json'), 'utf8')) as Record<string, string>;
    const id = `${file}\0${after.size}\0${after.mtimeMs}\0${after.ctimeMs}\0${after.ino}`;
    assert.equal(remembered[id], expectedHash, 'the hash of the new bytes');
    const oldId = `${file}\0${before.size}\0${before.mtimeMs}\0${before.ctimeMs}\0${before.ino}`;
    assert.equal(remembered[oldId], createHash('sha256').update(first).digest('hex'), 'the old identity keeps the old hash');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
