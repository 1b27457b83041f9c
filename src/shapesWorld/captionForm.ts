/**
 * The caption grammar of the shapes world, as a structure that can be written out and read back:
 * `a {c} {s}`, `a {c} {s} and a {c} {s}`, `a {c} {s} on the {side}`, `a {c} {s} {relation} a {c} {s}`.
 * The contract only writes `left of` and `above`; `right of` and `below` (both in its vocabulary) are
 * read too, so a hand-written probe in those words is judged rather than rejected.
 */
import { COLOUR_WORDS, SHAPE_WORDS, type Colour, type ObjectKind, type Shape } from './vocab';

/** A side of the image a position caption may name. */
export type Side = 'left' | 'right' | 'top' | 'bottom';

/** The four sides, in a fixed order. */
export const SIDES: readonly Side[] = ['left', 'right', 'top', 'bottom'];

/** A spatial relation between two objects, as worded in a caption. */
export type Relation = 'left of' | 'right of' | 'above' | 'below';

/** A parsed caption. */
export type CaptionForm =
  | { form: 'object'; a: ObjectKind }
  | { form: 'pair'; a: ObjectKind; b: ObjectKind }
  | { form: 'position'; a: ObjectKind; side: Side }
  | { form: 'relation'; a: ObjectKind; relation: Relation; b: ObjectKind };

/** Writes a caption in the contract's form: lower case, single spaces, article `a` throughout. */
export function formatCaption(c: CaptionForm): string {
  const np = (k: ObjectKind) => `a ${k.colour} ${k.shape}`;
  switch (c.form) {
    case 'object':
      return np(c.a);
    case 'pair':
      return `${np(c.a)} and ${np(c.b)}`;
    case 'position':
      return `${np(c.a)} on the ${c.side}`;
    case 'relation':
      return `${np(c.a)} ${c.relation} ${np(c.b)}`;
  }
}

/** Reads a caption of the grammar above (any case or spacing, `a` or `an`); null for anything else. */
export function parseCaption(text: string): CaptionForm | null {
  const words = text.trim().toLowerCase().split(/\s+/);
  const a = nounPhrase(words, 0);
  if (!a) return null;
  const rest = words.slice(3);
  if (rest.length === 0) return { form: 'object', a };
  if (rest.length === 3 && rest[0] === 'on' && rest[1] === 'the' && (SIDES as string[]).includes(rest[2])) {
    return { form: 'position', a, side: rest[2] as Side };
  }
  for (const link of ['and', 'left of', 'right of', 'above', 'below'] as const) {
    const linkWords = link.split(' ').length;
    if (rest.length !== linkWords + 3 || rest.slice(0, linkWords).join(' ') !== link) continue;
    const b = nounPhrase(rest, linkWords);
    if (!b) return null;
    return link === 'and' ? { form: 'pair', a, b } : { form: 'relation', a, relation: link, b };
  }
  return null;
}

/** The noun phrase `a|an {colour} {shape}` starting at words[at], or null. */
function nounPhrase(words: readonly string[], at: number): ObjectKind | null {
  const [article, colour, shape] = words.slice(at, at + 3);
  if (article !== 'a' && article !== 'an') return null;
  if (!(COLOUR_WORDS as string[]).includes(colour) || !(SHAPE_WORDS as readonly string[]).includes(shape)) return null;
  return { colour: colour as Colour, shape: shape as Shape };
}
