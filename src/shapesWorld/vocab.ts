/**
 * The shapes world's words and nominal colours, exactly as docs/shapes-world.md (the contract) lists them.
 */

/** An RGB triple, each channel 0..255. */
export type Rgb = [number, number, number];

/** Nominal RGB of each colour word; drawn objects differ from these by at most ±20 per channel. */
export const COLOURS = {
  red: [220, 40, 40],
  green: [40, 170, 70],
  blue: [50, 90, 230],
  yellow: [235, 200, 40],
  purple: [150, 70, 190],
  orange: [245, 140, 30],
} as const satisfies Record<string, Readonly<Rgb>>;

/** A colour word. */
export type Colour = keyof typeof COLOURS;

/** The six colour words, in the contract's order. */
export const COLOUR_WORDS = Object.keys(COLOURS) as Colour[];

/** The four shape words, in the contract's order. */
export const SHAPE_WORDS = ['circle', 'square', 'triangle', 'cross'] as const;

/** A shape word. */
export type Shape = (typeof SHAPE_WORDS)[number];

/** What an object is, regardless of where it is: the pair a one-object caption names. */
export interface ObjectKind {
  colour: Colour;
  shape: Shape;
}

/** Every (colour, shape) pair, 24 in all. */
export const ALL_KINDS: readonly ObjectKind[] = COLOUR_WORDS.flatMap((colour) =>
  SHAPE_WORDS.map((shape) => ({ colour, shape })),
);

/** True when two kinds are the same (colour, shape) pair. */
export function sameKind(a: ObjectKind, b: ObjectKind): boolean {
  return a.colour === b.colour && a.shape === b.shape;
}
