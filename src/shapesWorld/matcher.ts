/**
 * The contract's "matches": a caption matches a scene when every object it names is present and every
 * position or relation it states holds. Used to check generated captions and hard negatives, and by
 * evaluations that need to know which prompts a scene makes true.
 */
import { parseCaption, type CaptionForm } from './captionForm';
import { isAbove, isLeftOf, isOnSide, type SceneGeometry } from './relations';
import { sameKind, type ObjectKind } from './vocab';

/** Whether `caption` matches the scene. A caption outside the grammar states nothing checkable: false. */
export function captionMatches(caption: string, scene: SceneGeometry): boolean {
  const form = parseCaption(caption);
  return form !== null && formHolds(form, scene);
}

/** Whether a parsed caption holds in the scene. Two noun phrases must name two different objects. */
export function formHolds(c: CaptionForm, scene: SceneGeometry): boolean {
  const find = (k: ObjectKind) => scene.objects.find((o) => sameKind(o, k));
  const a = find(c.a);
  if (!a) return false;
  if (c.form === 'object') return true;
  if (c.form === 'position') return isOnSide(scene, a, c.side);
  const b = find(c.b);
  if (!b || b === a) return false;
  switch (c.form) {
    case 'pair':
      return true;
    case 'relation':
      if (c.relation === 'left of') return isLeftOf(scene, a, b);
      if (c.relation === 'right of') return isLeftOf(scene, b, a);
      if (c.relation === 'above') return isAbove(scene, a, b);
      return isAbove(scene, b, a);
  }
}
