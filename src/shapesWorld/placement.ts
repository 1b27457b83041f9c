/**
 * Chooses what a scene holds and where: background grey, object kinds and colours, and non-overlapping
 * boxes by rejection sampling. All bounds are checked in integer arithmetic so that a box the contract
 * allows exactly at a limit (22%, 40%, a 4% gap) is never lost to rounding.
 */
import { LensError } from '../core/errors';
import { pick, randInt, type Rng } from './prng';
import type { SceneObject } from './types';
import { ALL_KINDS, COLOURS, sameKind, type ObjectKind, type Rgb } from './vocab';

/** Boxes tried for one object before the whole layout is drawn again. */
const TRIES_PER_OBJECT = 100;
/** Layouts tried before giving up; with the contract's bounds a failure means a bug, not bad luck. */
const MAX_LAYOUTS = 200;

/** The smallest and largest box side allowed in an image of side n: 22% and 40% of n, in whole pixels. */
function sideRange(n: number): { min: number; max: number } {
  return { min: Math.ceil((22 * n) / 100), max: Math.floor((40 * n) / 100) };
}

/** The background: one light grey, slightly tinted per channel, every channel within 200..245. */
export function drawBackground(rng: Rng): Rgb {
  const grey = randInt(rng, 200, 245);
  const channel = () => Math.min(245, Math.max(200, grey + randInt(rng, -3, 3)));
  return [channel(), channel(), channel()];
}

/** `count` distinct kinds: those in `include` first, the rest drawn at random from the pairs not yet taken. */
export function chooseKinds(rng: Rng, count: number, include: readonly ObjectKind[]): ObjectKind[] {
  const kinds = [...include];
  while (kinds.length < count) {
    kinds.push(pick(rng, ALL_KINDS.filter((k) => !kinds.some((taken) => sameKind(k, taken)))));
  }
  return kinds;
}

/** Places one object of each kind in an image of side n, each drawn in its nominal colour ±20. */
export function placeObjects(rng: Rng, n: number, kinds: readonly ObjectKind[]): SceneObject[] {
  for (let layout = 0; layout < MAX_LAYOUTS; layout++) {
    const boxes: SceneObject['box'][] = [];
    while (boxes.length < kinds.length) {
      const box = placeBox(rng, n, boxes);
      if (!box) break;
      boxes.push(box);
    }
    if (boxes.length === kinds.length) {
      return kinds.map((kind, i) => ({
        ...kind,
        rgb: jitter(rng, COLOURS[kind.colour]),
        box: boxes[i],
        centre: { x: boxes[i].x + boxes[i].size / 2, y: boxes[i].y + boxes[i].size / 2 },
      }));
    }
  }
  throw new LensError('internal', `Could not place ${kinds.length} objects in a ${n} px scene.`);
}

/** A random box wholly inside the image and far enough from every box already placed, or null. */
function placeBox(rng: Rng, n: number, placed: readonly SceneObject['box'][]): SceneObject['box'] | null {
  const { min, max } = sideRange(n);
  for (let t = 0; t < TRIES_PER_OBJECT; t++) {
    const size = randInt(rng, min, max);
    const box = { x: randInt(rng, 0, n - size), y: randInt(rng, 0, n - size), size };
    if (placed.every((other) => boxGap(box, other) * 100 >= 4 * n)) return box;
  }
  return null;
}

/** Distance between two boxes along the axis where they are furthest apart; negative when they overlap. */
function boxGap(a: SceneObject['box'], b: SceneObject['box']): number {
  const gapX = Math.max(b.x - (a.x + a.size), a.x - (b.x + b.size));
  const gapY = Math.max(b.y - (a.y + a.size), a.y - (b.y + b.size));
  return Math.max(gapX, gapY);
}

function jitter(rng: Rng, nominal: Readonly<Rgb>): Rgb {
  const channel = (c: number) => Math.min(255, Math.max(0, nominal[c] + randInt(rng, -20, 20)));
  return [channel(0), channel(1), channel(2)];
}
