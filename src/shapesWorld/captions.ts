/**
 * Every caption of the contract's grammar that matches a scene, enumerated from the objects rather than
 * filtered from all possible captions, so the list is complete by construction and cheap to make.
 */
import { SIDES, formatCaption, type CaptionForm } from './captionForm';
import { isAbove, isLeftOf, isOnSide, type SceneGeometry } from './relations';

/**
 * The matching captions in a fixed order (their noun phrases are the scene's objects themselves): one-object captions, two-object captions for each ordered pair,
 * position captions that hold unambiguously, then `left of` and `above` relations that hold.
 */
export function matchedForms(scene: SceneGeometry): CaptionForm[] {
  const objects = scene.objects;
  const pairs = objects.flatMap((a) => objects.filter((b) => b !== a).map((b) => [a, b] as const));
  return [
    ...objects.map((a): CaptionForm => ({ form: 'object', a })),
    ...pairs.map(([a, b]): CaptionForm => ({ form: 'pair', a, b })),
    ...objects.flatMap((a) =>
      SIDES.filter((side) => isOnSide(scene, a, side)).map((side): CaptionForm => ({ form: 'position', a, side })),
    ),
    ...pairs
      .filter(([a, b]) => isLeftOf(scene, a, b))
      .map(([a, b]): CaptionForm => ({ form: 'relation', a, relation: 'left of', b })),
    ...pairs
      .filter(([a, b]) => isAbove(scene, a, b))
      .map(([a, b]): CaptionForm => ({ form: 'relation', a, relation: 'above', b })),
  ];
}

/** The matching captions as text, in the order of `matchedForms`. */
export function matchedCaptions(scene: SceneGeometry): string[] {
  return matchedForms(scene).map(formatCaption);
}
