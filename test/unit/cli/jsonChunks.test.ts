// The pieces of jsonChunks joined are JSON.stringify(value, null, 2), character for character, on values of every
// kind JSON has (and the ones it leaves out or writes as null), and a large tensor comes out in pieces of bounded size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonChunks } from '../../../src/cli/jsonChunks';

const joined = (value: unknown) => [...jsonChunks(value)].join('');

test('each value is written as JSON.stringify(value, null, 2) writes it', () => {
  const values: unknown[] = [
    0, -0, 1e-7, -3.25e21, NaN, Infinity, -Infinity, true, false, null, '', 'plain', 'quotes " and \\ and \n and \u0001', '日本語 🚀 عربى',
    [], {}, [[]], [{}], { a: [] }, [1, 'two', null, undefined, NaN, () => 1, [3, [4, []]]],
    { kept: 1, gone: undefined, fn: () => 2, nested: { deeper: { list: [1.5, -2, 0.1 + 0.2] } }, 'key "quoted"': 'x' },
    { date: new Date(Date.UTC(2026, 11, 3)), boxed: [new Number(4), new String('s'), new Boolean(false)] },
    { own: { toJSON: (key: string) => `toJSON saw ${key}` }, list: [{ toJSON: (key: string) => ({ index: key }) }] },
    [[[[[0.25, 0.75], [1, 0]]]]],
  ];
  for (const value of values) assert.equal(joined(value), JSON.stringify(value, null, 2), `for ${String(JSON.stringify(value))}`);
});

test('a tensor larger than one piece is split into pieces of about a megabyte that join to its JSON', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const tensor = Array.from({ length: 12 }, () => Array.from({ length: 100 }, () => Array.from({ length: 197 }, next)));
  const pieces = [...jsonChunks({ attention: { vision: tensor } })];
  assert.ok(pieces.length > 3, `${pieces.length} pieces`);
  for (const piece of pieces.slice(0, -1)) assert.ok(piece.length >= 2 ** 20 && piece.length < 2 ** 20 + 20_000, `piece of ${piece.length}`);
  assert.equal(pieces.join(''), JSON.stringify({ attention: { vision: tensor } }, null, 2));
});
