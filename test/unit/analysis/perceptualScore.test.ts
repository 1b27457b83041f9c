import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perceptualScore, permutedPairs } from '../../../src/analysis/probes/perceptualScore';
import { LensError } from '../../../src/core/errors';

test('permutedPairs is a permutation with no fixed point, repeatable from its seed', () => {
  assert.deepEqual(Array.from(permutedPairs(2, 1)), [1, 0]);
  for (let n = 2; n <= 12; n++) {
    for (let seed = 0; seed < 5; seed++) {
      const perm = Array.from(permutedPairs(n, seed));
      assert.deepEqual([...perm].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
      assert.ok(perm.every((v, i) => v !== i), `fixed point in ${perm}`);
      assert.deepEqual(Array.from(permutedPairs(n, seed)), perm);
    }
  }
  const distinct = new Set(Array.from({ length: 20 }, (_, seed) => permutedPairs(8, seed).join(',')));
  assert.ok(distinct.size > 10);
  assert.throws(() => permutedPairs(1, 0), (e: unknown) => e instanceof LensError && e.kind === 'badInput');
});

test('perceptual score: the mean drop over permutations, optionally relative to the full metric', () => {
  assert.ok(Math.abs(perceptualScore(0.8, [0.5, 0.6]) - 0.25) < 1e-12);
  assert.ok(Math.abs(perceptualScore(0.8, [0.5, 0.6], true) - 0.25 / 0.8) < 1e-12);
  assert.ok(Math.abs(perceptualScore(0.8, 0.9) - -0.1) < 1e-12);
  assert.throws(() => perceptualScore(0, 0.1, true), LensError);
  assert.throws(() => perceptualScore(0.5, []), LensError);
});
