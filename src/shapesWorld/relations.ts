/**
 * The contract's spatial predicates, shared by the caption writer and the matcher so that both judge a
 * position or relation by one definition. Thresholds are compared in exact arithmetic (centres are
 * multiples of 0.5), so a centre exactly on a limit is decided the same way everywhere.
 */
import type { Side } from './captionForm';
import type { SceneLayout, SceneObject } from './types';

/** The part of a scene the predicates look at. */
export type SceneGeometry = Pick<SceneLayout, 'size' | 'objects'>;

/** Whether a centre lies strictly within the outer third of an image of side n on the given side. */
function inOuterThird(n: number, centre: SceneObject['centre'], side: Side): boolean {
  switch (side) {
    case 'left':
      return 3 * centre.x < n;
    case 'right':
      return 3 * centre.x > 2 * n;
    case 'top':
      return 3 * centre.y < n;
    case 'bottom':
      return 3 * centre.y > 2 * n;
  }
}

/** A position caption holds: the object is in the outer third on that side and no other object is. */
export function isOnSide(scene: SceneGeometry, object: SceneObject, side: Side): boolean {
  return (
    inOuterThird(scene.size, object.centre, side) &&
    scene.objects.every((other) => other === object || !inOuterThird(scene.size, other.centre, side))
  );
}

/** `a left of b` holds: a's centre is left of b's by at least 15% of the side. */
export function isLeftOf(scene: SceneGeometry, a: SceneObject, b: SceneObject): boolean {
  return (b.centre.x - a.centre.x) * 100 >= 15 * scene.size;
}

/** `a above b` holds: a's centre is above b's by at least 15% of the side. */
export function isAbove(scene: SceneGeometry, a: SceneObject, b: SceneObject): boolean {
  return (b.centre.y - a.centre.y) * 100 >= 15 * scene.size;
}
