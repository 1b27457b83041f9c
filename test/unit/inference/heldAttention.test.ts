// The attention the inference process keeps for a panel: one query's rows of every layer and head equal the
// tensor's, read here by index; only the newest two analyses are kept, and a released or unknown id is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { HeldAttention } from '../../../src/inference/remote/heldAttention';
import type { LayerAttention } from '../../../src/inference/runtime/tappedGraph';

const [ITEMS, HEADS, TOKENS] = [2, 3, 5];
/** Layer l's value at (item, head, query, key), distinct everywhere. */
const value = (l: number, i: number, h: number, q: number, k: number) => l * 10_000 + i * 1000 + h * 100 + q * 10 + k;
const layers: LayerAttention[] = [0, 1].map((l) => ({
  heads: HEADS, queries: TOKENS, keys: TOKENS,
  data: Float32Array.from({ length: ITEMS * HEADS * TOKENS * TOKENS }, (_, n) => value(l, Math.floor(n / (HEADS * TOKENS * TOKENS)), Math.floor(n / (TOKENS * TOKENS)) % HEADS, Math.floor(n / TOKENS) % TOKENS, n % TOKENS)),
}));

test('rows are [layer][head][key] of the asked item and query', () => {
  const held = new HeldAttention();
  const id = held.keep(layers, ITEMS);
  const rows = held.rows(id, 1, 3);
  const expected = [0, 1].flatMap((l) => Array.from({ length: HEADS }, (_, h) => Array.from({ length: TOKENS }, (_, k) => value(l, 1, h, 3, k)))).flat();
  assert.deepEqual(Array.from(rows), expected);
  assert.throws(() => held.rows(id, 2, 0), (error: unknown) => error instanceof LensError && /no item 2 or query token 0/.test(error.message));
  assert.throws(() => held.rows(id, 0, 5), /query token 5/);
});

test('the newest two are kept; released and unknown ids are refused with what to do', () => {
  const held = new HeldAttention();
  const [first, second, third] = [held.keep(layers, ITEMS), held.keep(layers, ITEMS), held.keep(layers, ITEMS)];
  assert.throws(() => held.rows(first, 0, 0), (error: unknown) => error instanceof LensError && error.kind === 'badInput' && /no longer kept/.test(error.message) && /Analyze Image again/.test(error.message));
  assert.equal(held.rows(second, 0, 0).length, 2 * HEADS * TOKENS);
  held.release(third);
  assert.throws(() => held.rows(third, 0, 0), /no longer kept/);
  assert.throws(() => held.rows('not an id', 0, 0), /no longer kept/);
  assert.notEqual(new HeldAttention().keep(layers, ITEMS), second, 'ids are not reused by a new process');
});
