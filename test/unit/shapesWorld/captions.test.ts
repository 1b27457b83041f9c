// Captions and hard negatives: the matched list against the contract's rules written out here, every
// hard negative rejected by the matcher and related to its source caption as its kind says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchedCaptions, matchedForms } from '../../../src/shapesWorld/captions';
import { parseCaption, type CaptionForm } from '../../../src/shapesWorld/captionForm';
import { captionMatches } from '../../../src/shapesWorld/matcher';
import { hardNegatives } from '../../../src/shapesWorld/negatives';
import { mulberry32 } from '../../../src/shapesWorld/prng';
import { generateScene } from '../../../src/shapesWorld/scene';
import type { SceneLayout } from '../../../src/shapesWorld/types';
import { CONTRACT_COLOURS, CONTRACT_SHAPES, obj } from './handScene';

/** The contract's caption rules, applied directly to a scene's objects. */
function expectedCaptions({ size: n, objects }: Pick<SceneLayout, 'size' | 'objects'>): string[] {
  const np = (o: (typeof objects)[number]) => `a ${o.colour} ${o.shape}`;
  const sides = {
    left: (c: { x: number }) => c.x < n / 3,
    right: (c: { x: number }) => c.x > (2 * n) / 3,
    top: (c: { y: number }) => c.y < n / 3,
    bottom: (c: { y: number }) => c.y > (2 * n) / 3,
  } as Record<string, (c: { x: number; y: number }) => boolean>;
  const out = objects.map(np);
  for (const a of objects) {
    for (const b of objects) {
      if (a === b) continue;
      out.push(`${np(a)} and ${np(b)}`);
      if (b.centre.x - a.centre.x >= 0.15 * n - 1e-9) out.push(`${np(a)} left of ${np(b)}`);
      if (b.centre.y - a.centre.y >= 0.15 * n - 1e-9) out.push(`${np(a)} above ${np(b)}`);
    }
    for (const [side, holds] of Object.entries(sides)) {
      if (holds(a.centre) && objects.every((o) => o === a || !holds(o.centre))) out.push(`${np(a)} on the ${side}`);
    }
  }
  return out.sort();
}

/** Every caption of the contract's grammar over the whole vocabulary (1776 of them). */
const ALL_CAPTIONS = (() => {
  const nps = Object.keys(CONTRACT_COLOURS).flatMap((c) => CONTRACT_SHAPES.map((s) => `a ${c} ${s}`));
  return nps.flatMap((a) => [
    a,
    ...['left', 'right', 'top', 'bottom'].map((side) => `${a} on the ${side}`),
    ...nps.filter((b) => b !== a).flatMap((b) => [`${a} and ${b}`, `${a} left of ${b}`, `${a} above ${b}`]),
  ]);
})();

const handScene = { size: 300, background: [220, 220, 220] as [number, number, number], objects: [obj('red', 'circle', 50, 160, 80), obj('blue', 'square', 250, 160, 80)] };

test('a hand-built scene gets exactly the captions the contract allows', () => {
  assert.deepEqual([...matchedCaptions(handScene)].sort(), [
    'a blue square',
    'a blue square and a red circle',
    'a blue square on the right',
    'a red circle',
    'a red circle and a blue square',
    'a red circle left of a blue square',
    'a red circle on the left',
  ]);
});

test('hard negatives of a hand-built scene include each kind of perturbation', () => {
  const negatives = hardNegatives(handScene, matchedForms(handScene), mulberry32(1));
  const find = (caption: string) => negatives.find((n) => n.caption === caption);
  assert.deepEqual(find('a blue circle and a red square'), { caption: 'a blue circle and a red square', kind: 'colourSwap', of: 'a red circle and a blue square' });
  assert.deepEqual(find('a blue square left of a red circle'), { caption: 'a blue square left of a red circle', kind: 'relationReversed', of: 'a red circle left of a blue square' });
  const wrongSide = negatives.filter((n) => n.kind === 'positionWrong' && n.of === 'a red circle on the left');
  assert.equal(wrongSide.length, 1);
  assert.match(wrongSide[0].caption, /^a red circle on the (right|top|bottom)$/);
  const swaps = negatives.filter((n) => n.kind === 'shapeSwap' && n.of === 'a red circle');
  assert.equal(swaps.length, 1);
  assert.match(swaps[0].caption, /^a red (square|triangle|cross)$/);
});

/** Checks that a negative differs from its source caption exactly as its kind says. */
function assertPerturbation(kind: string, neg: CaptionForm, of: CaptionForm, objects: { colour: string; shape: string }[]) {
  const b = (c: CaptionForm) => ('b' in c ? c.b : undefined);
  assert.equal(neg.form, of.form);
  if (kind === 'colourSwap') {
    assert.deepEqual([neg.a, b(neg)], [{ colour: b(of)!.colour, shape: of.a.shape }, { colour: of.a.colour, shape: b(of)!.shape }]);
  } else if (kind === 'relationReversed') {
    assert.deepEqual([neg.a, b(neg), 'relation' in neg && neg.relation], [b(of), of.a, 'relation' in of && of.relation]);
  } else if (kind === 'positionWrong') {
    assert.ok(neg.form === 'position' && of.form === 'position' && neg.side !== of.side);
    assert.deepEqual(neg.a, of.a);
  } else {
    const changed = [[neg.a, of.a], [b(neg), b(of)]].filter(([x, y]) => JSON.stringify(x) !== JSON.stringify(y));
    assert.equal(changed.length, 1, 'one object changed');
    const [to, from] = changed[0] as { colour: string; shape: string }[];
    assert.ok(to.colour === from.colour && to.shape !== from.shape);
    assert.ok(!objects.some((o) => o.colour === to.colour && o.shape === to.shape), 'new pair absent from the scene');
  }
}

test('generated scenes: captions are exactly the matching ones, every hard negative fails the matcher', async () => {
  const kinds = new Set<string>();
  for (let index = 0; index < 40; index++) {
    const { truth } = await generateScene({ seed: 31, index, size: 64 + (index % 5) * 8, objects: ((index % 3) + 1) as 1 | 2 | 3 });
    assert.deepEqual([...truth.captions].sort(), expectedCaptions(truth));
    assert.deepEqual(ALL_CAPTIONS.filter((c) => captionMatches(c, truth)).sort(), expectedCaptions(truth));
    assert.equal(new Set(truth.hardNegatives.map((n) => n.caption)).size, truth.hardNegatives.length, 'negatives unique');
    for (const n of truth.hardNegatives) {
      kinds.add(n.kind);
      assert.equal(captionMatches(n.caption, truth), false, n.caption);
      assert.ok(truth.captions.includes(n.of), n.of);
      assertPerturbation(n.kind, parseCaption(n.caption)!, parseCaption(n.of)!, truth.objects);
    }
  }
  assert.deepEqual([...kinds].sort(), ['colourSwap', 'positionWrong', 'relationReversed', 'shapeSwap']);
});
