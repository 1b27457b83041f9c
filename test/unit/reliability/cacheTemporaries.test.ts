// Temporaries of killed or failed runs (issue 19 item 7): `.staging-<pid>-<hex>` folders and `hashes.json.<pid>-<hex>`
// files in the optimized-model cache, `mmlens-tapped-<pid>-*` folders in the scratch folder and hidden
// `.NAME.mmlens-tapped-<pid>-<hex>.onnx` copies beside a model are removed once their process is gone (or, when the
// name says no process, after a day); those of a live process are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OptimizedModelCache, processAlive, sweepStaleTemporaries } from '../../../src/inference/runtime/optimizedModelCache';
import { tappedBesideOwner, tappedCopy } from '../../../src/inference/runtime/externalData';
import type { OnnxGraph } from '../../../src/inference/onnx/onnxTypes';

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.equal(child.status, 0);
  assert.ok(child.pid && !processAlive(child.pid), 'the child is gone');
  return child.pid;
}

function plant(dir: string, name: string, folder: boolean): string {
  const path = join(dir, name);
  if (folder) {
    mkdirSync(path);
    writeFileSync(join(path, 'model.onnx'), 'partial');
  } else {
    writeFileSync(path, '{"partial":');
  }
  return path;
}

const twoDaysAgo = () => (Date.now() - 2 * 24 * 3600 * 1000) / 1000;

test('opening the cache removes the staging folders and hashes.json temporaries of dead runs only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-stale-'));
  try {
    const dead = deadPid();
    const gone = [plant(dir, `.staging-${dead}-a1b2c3d4e5f6`, true), plant(dir, `hashes.json.${dead}-a1b2c3d4`, false)];
    const live = [plant(dir, `.staging-${process.pid}-a1b2c3d4e5f6`, true), plant(dir, `hashes.json.${process.pid}-a1b2c3d4`, false)];
    // An old one of this (live) process stays too; names that are no temporary are never touched.
    for (const path of live) utimesSync(path, twoDaysAgo(), twoDaysAgo());
    const others = [plant(dir, 'hashes.json', false), plant(dir, '0123456789abcdef0123456789abcdef01234567', true), plant(dir, '.staging-notapid', true)];
    const model = join(dir, 'm.onnx');
    writeFileSync(model, Buffer.alloc(100, 7));
    // The first hash written (a model not yet in hashes.json) sweeps the folder before writing.
    await new OptimizedModelCache(dir).key({ file: model, additions: 'none' }, 'cpu', '1.30.0');
    for (const path of gone) assert.equal(existsSync(path), false, `${path} of dead pid ${dead} removed`);
    for (const path of [...live, ...others, model]) assert.equal(existsSync(path), true, `${path} kept`);
    const remaining = readdirSync(dir).filter((n) => n.startsWith('hashes.json.') || n.startsWith('.staging-')).sort();
    assert.deepEqual(remaining, ['.staging-notapid', `.staging-${process.pid}-a1b2c3d4e5f6`, `hashes.json.${process.pid}-a1b2c3d4`].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tapped copy sweeps the mmlens-tapped folders of dead runs, and removes its own when disposed', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mmlens-scratch-'));
  const modelDir = mkdtempSync(join(tmpdir(), 'mmlens-model-'));
  try {
    const dead = deadPid();
    const deadFolder = plant(scratch, `mmlens-tapped-${dead}-Ab12Cd`, true);
    const liveFolder = plant(scratch, `mmlens-tapped-${process.pid}-Ab12Cd`, true);
    const oldUnowned = plant(scratch, 'mmlens-tapped-Xy98Zw', true);
    utimesSync(oldUnowned, twoDaysAgo(), twoDaysAgo());
    const freshUnowned = plant(scratch, 'mmlens-tapped-Qr34St', true);
    const model = join(modelDir, 'model.onnx');
    const bytes = Buffer.from('model bytes');
    writeFileSync(model, bytes);
    const tail = Buffer.from(' and a tail');
    const prepared = await tappedCopy(model, { externalDataFiles: [] } as unknown as OnnxGraph, tail, scratch);
    assert.equal(existsSync(deadFolder), false, 'of a dead pid: removed');
    assert.equal(existsSync(oldUnowned), false, 'no pid and two days old: removed');
    assert.equal(existsSync(liveFolder), true, 'of this process: kept');
    assert.equal(existsSync(freshUnowned), true, 'no pid but recent: kept');
    assert.equal(typeof prepared.source, 'string');
    const copy = prepared.source as string;
    assert.equal(createHash('sha256').update(readFileSync(copy)).digest('hex'), createHash('sha256').update(Buffer.concat([bytes, tail])).digest('hex'));
    assert.match(copy, new RegExp(`mmlens-tapped-${process.pid}-`));
    await prepared.dispose();
    const ownFolders = readdirSync(scratch).filter((n) => n.startsWith(`mmlens-tapped-${process.pid}-`));
    assert.deepEqual(ownFolders, [`mmlens-tapped-${process.pid}-Ab12Cd`], 'the disposed copy\'s folder is gone');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(modelDir, { recursive: true, force: true });
  }
});

test('hidden tapped copies beside a model: a dead run\'s goes, a live one\'s and other files stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-beside-'));
  try {
    const dead = deadPid();
    const deadCopy = plant(dir, `.model.onnx.mmlens-tapped-${dead}-a1b2c3d4e5f6.onnx`, false);
    const liveCopy = plant(dir, `.model.onnx.mmlens-tapped-${process.pid}-a1b2c3d4e5f6.onnx`, false);
    const otherModel = plant(dir, `.other.onnx.mmlens-tapped-${dead}-a1b2c3d4e5f6.onnx`, false);
    const weights = plant(dir, 'model.onnx.data', false);
    await sweepStaleTemporaries(dir, (name) => tappedBesideOwner('model.onnx', name));
    assert.equal(existsSync(deadCopy), false);
    for (const path of [liveCopy, otherModel, weights]) assert.equal(existsSync(path), true, `${path} kept`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
