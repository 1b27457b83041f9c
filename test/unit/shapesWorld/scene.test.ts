// Generated scenes against the contract: sizes, margins, gaps, colours, background, and pixels at points
// worked out from each object's box with the contract's shape definitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { generateScene, type SceneOptions } from '../../../src/shapesWorld/scene';
import type { SceneObject, SceneTruth } from '../../../src/shapesWorld/types';
import { CONTRACT_COLOURS, CONTRACT_SHAPES, pixelAt } from './handScene';

function insideAnyBox(truth: SceneTruth, x: number, y: number): boolean {
  return truth.objects.some(({ box }) => x >= box.x && x < box.x + box.size && y >= box.y && y < box.y + box.size);
}

function assertContractLayout(truth: SceneTruth): void {
  const n = truth.size;
  assert.ok(n >= 64 && n <= 512);
  for (const c of truth.background) assert.ok(c >= 200 && c <= 245, `background channel ${c}`);
  assert.ok(truth.objects.length >= 1 && truth.objects.length <= 3);
  const kinds = truth.objects.map((o) => `${o.colour} ${o.shape}`);
  assert.equal(new Set(kinds).size, kinds.length, `repeated kind in ${kinds}`);
  for (const o of truth.objects) {
    const { x, y, size: s } = o.box;
    assert.ok(CONTRACT_SHAPES.includes(o.shape));
    o.rgb.forEach((v, c) => assert.ok(Math.abs(v - CONTRACT_COLOURS[o.colour][c]) <= 20, `${o.colour} ${o.rgb}`));
    assert.ok(s >= 0.22 * n - 1e-9 && s <= 0.4 * n + 1e-9, `box side ${s} in ${n}`);
    assert.deepEqual(o.centre, { x: x + s / 2, y: y + s / 2 });
    for (const d of [o.centre.x, o.centre.y, n - o.centre.x, n - o.centre.y]) assert.ok(d >= s / 2, 'centre too near an edge');
  }
  for (const [i, a] of truth.objects.entries()) {
    for (const b of truth.objects.slice(i + 1)) {
      const apartX = Math.max(b.box.x - (a.box.x + a.box.size), a.box.x - (b.box.x + b.box.size));
      const apartY = Math.max(b.box.y - (a.box.y + a.box.size), a.box.y - (b.box.y + b.box.size));
      assert.ok(Math.max(apartX, apartY) >= 0.04 * n - 1e-9, `boxes ${JSON.stringify([a.box, b.box])} too close`);
    }
  }
}

test('scenes of every object count keep the contract: boxes, margins, gaps, colours, background', async () => {
  for (let index = 0; index < 30; index++) {
    const { pixels, truth } = await generateScene({ seed: 2024, index, size: [64, 77, 100, 128][index % 4] });
    assertContractLayout(truth);
    const n = truth.size;
    for (let y = 0; y < n; y += 3) {
      for (let x = 0; x < n; x += 3) {
        if (insideAnyBox(truth, x, y)) continue;
        pixelAt(pixels, n, x, y).forEach((v, c) => assert.ok(Math.abs(v - truth.background[c]) <= 12, `(${x}, ${y})`));
      }
    }
    for (const o of truth.objects) {
      assert.deepEqual(pixelAt(pixels, n, Math.floor(o.centre.x), Math.floor(o.centre.y)), o.rgb, 'centre pixel');
    }
  }
});

test('without options the size and object count are drawn across their whole ranges', async () => {
  const seen = { small: false, large: false, counts: new Set<number>() };
  for (let index = 0; index < 24; index++) {
    const { truth } = await generateScene({ seed: 5, index, antialias: false });
    assertContractLayout(truth);
    seen.small ||= truth.size < 200;
    seen.large ||= truth.size > 380;
    seen.counts.add(truth.objects.length);
  }
  assert.ok(seen.small && seen.large);
  assert.deepEqual([...seen.counts].sort(), [1, 2, 3]);
});

/** Points (as fractions of s from the centre) that the contract's geometry puts inside or outside each shape. */
const PROBES: Record<string, { inside: [number, number][]; outside: [number, number][] }> = {
  circle: { inside: [[0.3, 0.3], [-0.45, 0], [0, 0.45]], outside: [[0.45, 0.45], [-0.42, -0.42]] },
  square: { inside: [[0.38, -0.38], [-0.38, 0.38]], outside: [[0.47, 0], [0, -0.47]] },
  // Half-width at height fy is (fy + 0.5) / 2: 0.05 at fy = -0.4, 0.475 at fy = 0.45, 0.1 at fy = -0.3.
  triangle: { inside: [[0, -0.4], [-0.4, 0.45], [0.4, 0.45]], outside: [[-0.4, -0.3], [0.3, -0.3]] },
  cross: { inside: [[0.45, 0], [0, -0.45], [-0.1, 0.4]], outside: [[0.3, 0.3], [-0.3, -0.3], [0.25, -0.4]] },
};

function probe(pixels: Buffer, truth: SceneTruth, o: SceneObject, [fx, fy]: [number, number]): number[] {
  return pixelAt(pixels, truth.size, Math.floor(o.centre.x + fx * o.box.size), Math.floor(o.centre.y + fy * o.box.size));
}

test('each shape covers the points its definition puts inside, and leaves those outside as background', async () => {
  // Sides of at least 88 px keep every probe two pixels or more from the shape's edge, anti-aliased or not.
  const checked = new Set<string>();
  for (let index = 0; index < 12; index++) {
    const { pixels, truth } = await generateScene({ seed: 77, index, size: 400, objects: 3, antialias: index % 2 === 0 });
    for (const o of truth.objects) {
      checked.add(o.shape);
      for (const p of PROBES[o.shape].inside) assert.deepEqual(probe(pixels, truth, o, p), o.rgb, `${o.shape} ${p}`);
      for (const p of PROBES[o.shape].outside) {
        probe(pixels, truth, o, p).forEach((v, c) => assert.ok(Math.abs(v - truth.background[c]) <= 12, `${o.shape} ${p}`));
      }
    }
  }
  assert.equal(checked.size, 4, 'every shape should have been probed');
});

test('the same seed and index give the same bytes; another index or seed gives another scene', async () => {
  const a = await generateScene({ seed: 9, index: 3 });
  const b = await generateScene({ seed: 9, index: 3 });
  assert.ok(a.png.equals(b.png));
  assert.deepEqual(a.truth, b.truth);
  assert.equal(a.truth.seed, 9);
  assert.equal(a.truth.index, 3);
  for (const other of [{ seed: 9, index: 4 }, { seed: 10, index: 3 }]) {
    assert.notDeepEqual((await generateScene(other)).truth.objects, a.truth.objects);
  }
  const hard = await generateScene({ seed: 9, index: 3, antialias: false });
  assert.deepEqual(hard.truth.objects, a.truth.objects, 'edges should not move the objects');
});

test('included kinds appear in the scene', async () => {
  for (let index = 0; index < 5; index++) {
    const { truth } = await generateScene({ seed: 1, index, size: 96, objects: 1, include: [{ colour: 'red', shape: 'circle' }] });
    assert.deepEqual(truth.objects.map((o) => [o.colour, o.shape]), [['red', 'circle']]);
  }
});

test('options outside the contract are refused as bad input', async () => {
  const bad: SceneOptions[] = [
    { seed: 1, index: 0, size: 63 },
    { seed: 1, index: 0, size: 513 },
    { seed: 1, index: 0, size: 100.5 },
    { seed: -1, index: 0 },
    { seed: 1, index: -1 },
    { seed: 1, index: 0, objects: 4 as 3 },
    { seed: 1, index: 0, objects: 1, include: [{ colour: 'red', shape: 'circle' }, { colour: 'blue', shape: 'cross' }] },
    { seed: 1, index: 0, include: [{ colour: 'red', shape: 'circle' }, { colour: 'red', shape: 'circle' }] },
  ];
  for (const options of bad) {
    await assert.rejects(generateScene(options), (e: unknown) => e instanceof LensError && e.kind === 'badInput', JSON.stringify(options));
  }
});
