/**
 * Hard negatives: captions one small change away from a matching caption that do not match the scene.
 * Each candidate is checked with the matcher, because a perturbation can land on something true (a
 * position moved to a side the object is also on, for instance).
 */
import { SIDES, formatCaption, type CaptionForm } from './captionForm';
import { formHolds } from './matcher';
import { pick, type Rng } from './prng';
import type { SceneGeometry } from './relations';
import type { HardNegative } from './types';
import { SHAPE_WORDS, sameKind, type ObjectKind } from './vocab';

/**
 * For each matching caption: its colours swapped between its two objects (when they differ), one of its
 * objects changed to a shape whose (colour, shape) pair is absent from the scene, its relation reversed,
 * and its position moved to a side where it does not hold. Unique by caption text.
 */
export function hardNegatives(scene: SceneGeometry, matched: readonly CaptionForm[], rng: Rng): HardNegative[] {
  const negatives = new Map<string, HardNegative>();
  for (const c of matched) {
    const of = formatCaption(c);
    for (const [kind, candidate] of perturbations(scene, c, rng)) {
      const caption = formatCaption(candidate);
      if (!negatives.has(caption) && !formHolds(candidate, scene)) negatives.set(caption, { caption, kind, of });
    }
  }
  return [...negatives.values()];
}

type Perturbation = [HardNegative['kind'], CaptionForm];

function perturbations(scene: SceneGeometry, c: CaptionForm, rng: Rng): Perturbation[] {
  const out: Perturbation[] = [];
  if ((c.form === 'pair' || c.form === 'relation') && c.a.colour !== c.b.colour) {
    out.push(['colourSwap', { ...c, a: { ...c.a, colour: c.b.colour }, b: { ...c.b, colour: c.a.colour } }]);
  }
  const shapeSwap = swapOneShape(scene, c, rng);
  if (shapeSwap) out.push(['shapeSwap', shapeSwap]);
  if (c.form === 'relation') out.push(['relationReversed', { ...c, a: c.b, b: c.a }]);
  if (c.form === 'position') {
    const wrong = SIDES.filter((side) => !formHolds({ ...c, side }, scene));
    if (wrong.length > 0) out.push(['positionWrong', { ...c, side: pick(rng, wrong) }]);
  }
  return out;
}

/** The caption with one of its objects (chosen at random) given a shape that no object of its colour has. */
function swapOneShape(scene: SceneGeometry, c: CaptionForm, rng: Rng): CaptionForm | null {
  const swapped = (k: ObjectKind): ObjectKind | null => {
    const absent = SHAPE_WORDS.filter((shape) => !scene.objects.some((o) => sameKind(o, { colour: k.colour, shape })));
    return absent.length > 0 ? { colour: k.colour, shape: pick(rng, absent) } : null;
  };
  if ('b' in c && rng() < 0.5) {
    const b = swapped(c.b);
    return b ? { ...c, b } : null;
  }
  const a = swapped(c.a);
  return a ? { ...c, a } : null;
}
