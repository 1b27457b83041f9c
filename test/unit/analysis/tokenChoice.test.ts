// Token choice against second ways of computing it: the one-pass top-k against a full sort (ties to the lower id),
// log-softmax against the textbook formula, and sampling frequencies against the temperature-scaled, top-p-cut
// distribution they should follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseToken, logSoftmax, topTokens } from '../../../src/analysis/generation/tokenChoice';
import { mulberry32 } from '../../../src/analysis/random';

test('topTokens keeps the best in order, ties to the lower id, as a full sort does', () => {
  const random = mulberry32(3);
  for (const size of [1, 4, 5, 6, 200]) {
    const values = Float64Array.from({ length: size }, () => Math.round(random() * 20) / 4);
    const sorted = [...values.keys()].sort((a, b) => values[b] - values[a] || a - b).slice(0, 5);
    assert.deepEqual(topTokens(values, 5).map((t) => t.id), sorted, `size ${size}`);
  }
});

test('logSoftmax is x - log(sum(exp(x))), stable for large logits', () => {
  const logits = [1000, 1001, 999.5, -3];
  const expected = logits.map((x) => x - 1001 - Math.log(logits.reduce((sum, v) => sum + Math.exp(v - 1001), 0)));
  const got = logSoftmax(logits);
  logits.forEach((_, i) => assert.ok(Math.abs(got[i] - expected[i]) < 1e-12));
});

test('sampling draws each token as often as its temperature-scaled probability within the nucleus', () => {
  const logits = [2, 1, 0.5, -1, -4];
  const [temperature, topP] = [0.8, 0.9];
  const scaled = logits.map((x) => Math.exp(x / temperature));
  const total = scaled.reduce((a, b) => a + b, 0);
  const probabilities = scaled.map((p) => p / total);
  // The nucleus: the most probable tokens until their mass reaches top-p, renormalised.
  const order = [...probabilities.keys()].sort((a, b) => probabilities[b] - probabilities[a]);
  let mass = 0;
  const kept = order.filter((id) => (mass < topP ? ((mass += probabilities[id]), true) : false));
  const expected = probabilities.map((p, id) => (kept.includes(id) ? p / mass : 0));
  const counts = new Array(logits.length).fill(0);
  const random = mulberry32(11);
  const draws = 40_000;
  for (let i = 0; i < draws; i++) counts[chooseToken(logits, { temperature, topP, random })]++;
  counts.forEach((count, id) => assert.ok(Math.abs(count / draws - expected[id]) < 0.01, `token ${id}: ${count / draws} vs ${expected[id]}`));
  assert.equal(chooseToken(logits, { temperature: 1, topP: 1e-9, random }), 0, 'a nucleus of one token is the argmax');
  assert.throws(() => chooseToken(logits, { temperature: 0, topP: 0.5, random }), /temperature above 0/);
});
