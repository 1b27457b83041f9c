// firstCharacters and characterCount against the plain spread into code points, on random texts heavy in
// surrogate pairs, lone surrogates at either end, and ASCII.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/analysis/random';
import { characterCount, firstCharacters } from '../../../src/shared/characters';

test('they agree with [...text] on 2,000 random texts', () => {
  const random = mulberry32(7);
  const pieces = ['a', 'é', '😀', '\ud800', '\udc00', '红', ' '];
  for (let n = 0; n < 2000; n++) {
    const text = Array.from({ length: Math.floor(random() * 30) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    const spread = [...text];
    assert.equal(characterCount(text), spread.length, JSON.stringify(text));
    for (const count of [0, 1, 5, 40]) assert.equal(firstCharacters(text, count), spread.slice(0, count).join(''), JSON.stringify(text));
  }
});
