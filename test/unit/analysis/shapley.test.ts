// Shapley values against closed forms: a game of single and pairwise terms (φ_i = w_i + Σ_j u_ij / 2, which one
// antithetic permutation already gives exactly), the unanimity and majority games, the efficiency of every
// permutation estimate to rounding, convergence to the enumerated values on a game with third-order terms, the
// seed, the evaluation budget and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactShapley, permutationShapley, permutationsFor, type CoalitionValue } from '../../../src/analysis/perturbation/shapley';
import { mulberry32 } from '../../../src/analysis/random';

/** A value function from a plain function of one coalition (a 0/1 array), counting the coalitions asked for. */
function game(v: (present: Uint8Array) => number): CoalitionValue & { asked: number } {
  const value = (async (coalitions: Uint8Array, count: number) => {
    value.asked += count;
    const n = coalitions.length / count;
    return Float64Array.from({ length: count }, (_, r) => v(coalitions.subarray(r * n, (r + 1) * n)));
  }) as CoalitionValue & { asked: number };
  value.asked = 0;
  return value;
}

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `value ${i}: ${actual[i]} vs ${expected[i]}`);
};

const random = mulberry32(7);
const n = 6;
const w = Array.from({ length: n }, () => random() * 2 - 1);
const u = Array.from({ length: n }, () => Array.from({ length: n }, () => random() * 2 - 1));
const pairwise = (s: Uint8Array) => {
  let total = 0.25;
  for (let i = 0; i < n; i++) {
    if (!s[i]) continue;
    total += w[i];
    for (let j = i + 1; j < n; j++) if (s[j]) total += u[i][j];
  }
  return total;
};
const closedForm = w.map((wi, i) => wi + u.reduce((sum, _, j) => sum + (j === i ? 0 : (i < j ? u[i][j] : u[j][i]) / 2), 0));

test('a game of single and pairwise terms: exact enumeration and one antithetic permutation equal the closed form', async () => {
  const exact = await exactShapley(n, game(pairwise));
  close(exact.values, closedForm, 1e-12);
  assert.equal(exact.forwardPasses, 64);
  // One permutation forwards and backwards puts every pair in both orders once: exact for second-order games.
  const one = await permutationShapley(n, game(pairwise), { evaluations: 2 * n + 1, seed: 3 });
  assert.equal(one.permutations, 1);
  close(one.values, closedForm, 1e-12);
});

test('unanimity and majority games have their textbook values', async () => {
  const unanimity = await exactShapley(5, game((s) => (s[1] && s[3] && s[4] ? 1 : 0)));
  close(unanimity.values, [0, 1 / 3, 0, 1 / 3, 1 / 3], 1e-12);
  const majority = await exactShapley(3, game((s) => (s[0] + s[1] + s[2] >= 2 ? 1 : 0)));
  close(majority.values, [1 / 3, 1 / 3, 1 / 3], 1e-12);
});

// Third-order terms: no finite number of permutations is exact, but the estimate converges.
const t = Array.from({ length: 7 }, () => random() * 4 - 2);
const cubic = (s: Uint8Array) => pairwise(s) + t[0] * s[0] * s[1] * s[2] + t[1] * s[2] * s[3] * s[4] * s[5] + t[2] * s[1] * s[4] + Math.sin(s.reduce((a, b) => a + b, 0));

test('every permutation estimate is efficient: the values sum to full minus empty', async () => {
  for (const seed of [0, 1, 2]) {
    const result = await permutationShapley(n, game(cubic), { evaluations: 3 * (2 * n + 1), seed });
    const all = new Uint8Array(n).fill(1);
    assert.equal(result.full, cubic(all));
    assert.equal(result.empty, cubic(new Uint8Array(n)));
    assert.ok(Math.abs(result.values.reduce((a, b) => a + b, 0) - (result.full - result.empty)) < 1e-12);
  }
});

test('the permutation estimate converges to the enumerated values', async () => {
  const exact = (await exactShapley(n, game(cubic))).values;
  const error = async (permutations: number) => {
    const { values } = await permutationShapley(n, game(cubic), { evaluations: permutations * (2 * n + 1), seed: 11 });
    return Math.sqrt(values.reduce((s, v, i) => s + (v - exact[i]) ** 2, 0) / n);
  };
  // Monte Carlo: 100 times the permutations, about a tenth of the error.
  const [few, many] = [await error(20), await error(2000)];
  assert.ok(many < few / 4, `error with 20 permutations ${few}, with 2000 ${many}`);
  assert.ok(many < 0.03, `error with 2000 permutations ${many}`);
});

test('the authors\' default: 10 permutations, the empty and full coalitions asked once', async () => {
  const value = game(cubic);
  const result = await permutationShapley(n, value);
  assert.equal(result.permutations, 10);
  assert.equal(result.forwardPasses, 2 + 10 * (2 * n - 2));
  assert.equal(value.asked, result.forwardPasses);
  assert.equal(permutationsFor(n, 500), Math.floor(500 / 13));
});

test('the same seed gives the same values, another seed others', async () => {
  const run = (seed: number) => permutationShapley(n, game(cubic), { seed }).then((r) => Array.from(r.values));
  assert.deepEqual(await run(5), await run(5));
  assert.notDeepEqual(await run(5), await run(6));
});

test('a single feature gets all of full minus empty', async () => {
  const result = await permutationShapley(1, game((s) => 3 + 2 * s[0]));
  assert.deepEqual(Array.from(result.values), [2]);
});

test('too small a budget, too many features to enumerate, and cancellation are refused', async () => {
  await assert.rejects(permutationShapley(n, game(cubic), { evaluations: 2 * n }), /12 evaluations are too few for 6 features/);
  await assert.rejects(exactShapley(17, game(cubic)), /at most 16 features/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(permutationShapley(n, game(cubic), { signal: controller.signal }), /cancelled/);
});
