// The byte-bounded LRU cache: eviction order, the budget never exceeded, oversized entries refused, resizing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLruCache } from '../../../src/hover/byteCache';

test('evicts least recently used entries until the bytes fit the budget', () => {
  const cache = new ByteLruCache<string>(100);
  cache.set('a', 'A', 40);
  cache.set('b', 'B', 40);
  assert.equal(cache.get('a'), 'A'); // a is now more recent than b
  cache.set('c', 'C', 40); // 120 > 100: b goes
  assert.equal(cache.get('b'), undefined);
  assert.deepEqual([cache.get('a'), cache.get('c'), cache.bytes, cache.size], ['A', 'C', 80, 2]);
  cache.set('d', 'D', 90); // a and c (oldest first) both go
  assert.deepEqual([cache.get('a'), cache.get('c'), cache.get('d'), cache.bytes], [undefined, undefined, 'D', 90]);
});

test('replacing a key counts its bytes once; an entry over the budget is not stored and drops the old one', () => {
  const cache = new ByteLruCache<number>(50);
  cache.set('k', 1, 30);
  cache.set('k', 2, 20);
  assert.deepEqual([cache.get('k'), cache.bytes, cache.size], [2, 20, 1]);
  cache.set('k', 3, 51);
  assert.deepEqual([cache.get('k'), cache.bytes, cache.size], [undefined, 0, 0]);
});

test('resize evicts down to the new budget; a budget of 0 stores nothing', () => {
  const cache = new ByteLruCache<number>(100);
  for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, 10);
  cache.resize(35);
  assert.deepEqual([cache.size, cache.bytes, cache.get('k9'), cache.get('k6'), cache.get('k5')], [3, 30, 9, undefined, undefined]);
  cache.resize(0);
  cache.set('x', 1, 0.5);
  assert.deepEqual([cache.size, cache.bytes], [0, 0]);
});

test('many random operations never exceed the budget, and the bytes always equal the sum of what is stored', () => {
  const cache = new ByteLruCache<number>(1000);
  const stored = new Map<string, number>();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const key = `k${Math.floor(random() * 50)}`;
    const bytes = Math.floor(random() * 300);
    cache.set(key, bytes, bytes);
    stored.set(key, bytes);
    assert.ok(cache.bytes <= 1000);
  }
  let sum = 0;
  for (const key of stored.keys()) sum += cache.get(key) ?? 0;
  assert.equal(cache.bytes, sum);
});
