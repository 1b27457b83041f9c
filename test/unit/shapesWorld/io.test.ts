// Writing a scene set to disk and the generator's command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { parseCliOptions } from '../../../src/shapesWorld/cliOptions';
import { writeSceneSet } from '../../../src/shapesWorld/io';

test('writeSceneSet writes numbered PNGs and one truth.json, cycling sizes and object counts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shapes-'));
  try {
    const progress: number[] = [];
    await writeSceneSet(
      dir,
      { seed: 4, count: 3, sizes: [64, 80], objects: [1, 3], include: { 0: [{ colour: 'red', shape: 'circle' }] }, firstNumber: 1, pad: 0 },
      { onProgress: (p) => progress.push(p.done) },
    );
    assert.deepEqual((await readdir(dir)).sort(), ['scene-1.png', 'scene-2.png', 'scene-3.png', 'truth.json']);
    const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8'));
    assert.deepEqual(truth.map((t: { file: string; index: number; seed: number }) => [t.file, t.index, t.seed]), [['scene-1.png', 0, 4], ['scene-2.png', 1, 4], ['scene-3.png', 2, 4]]);
    assert.deepEqual(truth.map((t: { size: number }) => t.size), [64, 80, 64]);
    assert.deepEqual(truth.map((t: { objects: unknown[] }) => t.objects.length), [1, 3, 1]);
    assert.deepEqual([truth[0].objects[0].colour, truth[0].objects[0].shape], ['red', 'circle']);
    const meta = await sharp(join(dir, 'scene-2.png')).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [80, 80, 3]);
    assert.deepEqual(progress, [1, 2, 3]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('writeSceneSet stops when cancelled', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(writeSceneSet(join(tmpdir(), 'never-written'), { seed: 1, count: 2 }, { signal: controller.signal }), (e: unknown) => e instanceof LensError && e.kind === 'cancelled');
});

test('command-line flags become scene-set options', () => {
  const { out, set } = parseCliOptions(['--out', 'x', '--count', '6', '--seed', '12', '--objects', '1,2,3', '--size', '96,128', '--first', '1', '--pad', '0', '--include', '0:red-circle,blue-square', '--hard-edges']);
  assert.equal(out, 'x');
  assert.deepEqual(set, {
    seed: 12,
    count: 6,
    antialias: false,
    firstNumber: 1,
    pad: 0,
    objects: [1, 2, 3],
    sizes: [96, 128],
    include: { 0: [{ colour: 'red', shape: 'circle' }, { colour: 'blue', shape: 'square' }] },
  });
  const drawn = parseCliOptions(['--out', 'x', '--count', '1']).set.seed;
  assert.ok(Number.isInteger(drawn) && drawn >= 0 && drawn < 2 ** 32);
});

test('bad flags are refused as bad input', () => {
  const bad = [
    [],
    ['--out', 'x'],
    ['--out', 'x', '--count', '0'],
    ['--out', 'x', '--count', '2', '--size', '600'],
    ['--out', 'x', '--count', '2', '--objects', '4'],
    ['--out', 'x', '--count', '2', '--seed', 'abc'],
    ['--out', 'x', '--count', '2', '--include', '0:pink-circle'],
    ['--out', 'x', '--count', '2', '--colour', 'red'],
  ];
  for (const argv of bad) {
    assert.throws(() => parseCliOptions(argv), (e: unknown) => e instanceof LensError && e.kind === 'badInput', argv.join(' '));
  }
});

test('the command line prints the seed and writes the set', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shapes-cli-'));
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/shapesWorld/generate.ts', '--out', dir, '--count', '2', '--seed', '99', '--size', '64'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^seed 99$/m);
    assert.deepEqual((await readdir(dir)).sort(), ['scene-000.png', 'scene-001.png', 'truth.json']);
  } finally {
    await rm(dir, { recursive: true });
  }
});
