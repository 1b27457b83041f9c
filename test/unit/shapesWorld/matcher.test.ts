// The matcher on scenes built by hand, with expectations worked out from the contract's wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captionMatches } from '../../../src/shapesWorld/matcher';
import { obj } from './handScene';

// Side 300: thirds at 100 and 200. Red circle centred (50, 160), blue square (250, 160).
const redCircle = obj('red', 'circle', 50, 160, 80);
const blueSquare = obj('blue', 'square', 250, 160, 80);
const twoApart = { size: 300, objects: [redCircle, blueSquare] };
// Add a green triangle at (55, 45): a second object in the left third, alone in the top third.
const withTriangle = { size: 300, objects: [redCircle, blueSquare, obj('green', 'triangle', 55, 45, 70)] };

function expectAll(scene: typeof twoApart, cases: Record<string, boolean>) {
  for (const [caption, expected] of Object.entries(cases)) {
    assert.equal(captionMatches(caption, scene), expected, `"${caption}"`);
  }
}

test('objects and pairs match only when every named object is present', () => {
  expectAll(twoApart, {
    'a red circle': true,
    'a blue square': true,
    'a green circle': false,
    'a red square': false,
    'a red circle and a blue square': true,
    'a blue square and a red circle': true,
    'a red circle and a red circle': false,
    'a red circle and a green cross': false,
  });
});

test('relations hold only in their stated direction', () => {
  expectAll(twoApart, {
    'a red circle left of a blue square': true,
    'a blue square left of a red circle': false,
    'a blue square right of a red circle': true,
    'a red circle above a blue square': false,
    'a blue square above a red circle': false,
  });
  expectAll(withTriangle, {
    'a green triangle above a red circle': true,
    'a red circle below a green triangle': true,
    'a red circle above a green triangle': false,
    // 55 - 50 = 5 px, far below 15% of 300.
    'a red circle left of a green triangle': false,
    'a green triangle left of a blue square': true,
  });
});

test('a position matches only when the object is in that outer third and no other object is', () => {
  expectAll(twoApart, {
    'a red circle on the left': true,
    'a blue square on the right': true,
    'a red circle on the right': false,
    'a red circle on the top': false,
    'a red circle on the bottom': false,
  });
  expectAll(withTriangle, {
    'a red circle on the left': false,
    'a green triangle on the left': false,
    'a green triangle on the top': true,
    'a blue square on the right': true,
  });
});

test('thresholds: 15% of the side counts as far enough; a centre on the third line is not in the outer third', () => {
  const scene = (ax: number, bx: number) => ({ size: 200, objects: [obj('red', 'circle', ax, 40, 50), obj('blue', 'cross', bx, 150, 50)] });
  assert.equal(captionMatches('a red circle left of a blue cross', scene(40, 70)), true, '30 px of 200 is 15%');
  assert.equal(captionMatches('a red circle left of a blue cross', scene(40, 69.5)), false);
  assert.equal(captionMatches('a red circle above a blue cross', scene(40, 70)), true);
  const third = (x: number) => ({ size: 300, objects: [obj('red', 'circle', x, 150, 80)] });
  assert.equal(captionMatches('a red circle on the left', third(100)), false);
  assert.equal(captionMatches('a red circle on the left', third(99.5)), true);
  assert.equal(captionMatches('a red circle on the right', third(200.5)), true);
  assert.equal(captionMatches('a red circle on the right', third(200)), false);
});

test('case, spacing and the article an are accepted; anything outside the grammar does not match', () => {
  expectAll(twoApart, {
    '  A  Red circle ': true,
    'an red circle on the left': true,
    '': false,
    'a red': false,
    'red circle': false,
    'a red circle on the': false,
    'a red circle on the middle': false,
    'a red dog': false,
    'a red circle left a blue square': false,
    'a red circle left of a blue square please': false,
    'the red circle': false,
  });
});
