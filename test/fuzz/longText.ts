/**
 * Long texts for the tokenizers and the text tower: 10^3 to 10^6 characters (log-uniform between the bounds a
 * target gives) of one kind each: repeated words, one unbroken run, CJK, emoji (ZWJ sequences, skin tones,
 * flags), stacked combining marks, right-to-left text with bidirectional controls, control and invisible
 * characters with lone surrogates, or a mixture of pieces of all of them. Each text says what it is.
 */
import type { FuzzRandom } from './random';

/** A generated text and what it is made of. */
export interface LongText {
  text: string;
  description: string;
}

const words = ['a', 'red', 'circle', 'blue', 'square', 'photo', 'of', 'the', 'cat', 'zebra', 'xylophone', 'antidisestablishmentarianism', 'naïve', 'café'];
const separators = [' ', ' ', ' ', '  ', '\n', '\t', '. ', ', ', '\r\n', '\u00a0', '\u3000'];
const emoji = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🇫🇷', '🏳️‍🌈', '❤️', '🧑🏿‍🚀', '1️⃣', '🫠'];
const rtl = ['مرحبا', 'بالعالم', 'שלום', 'עולם', '\u202e', '\u202c', '\u200f', '\u2067', '\u2069', '\u061c', ' '];
const invisible = ['\u0000', '\u0007', '\u001b', '\u007f', '\u200b', '\u200d', '\u2060', '\ufeff', '\ufffd', '\ud800', '\udfff', '\u{e0041}', 'x'];

/** A string of about `length` UTF-16 units made by repeating `piece()`; cut at `length` (which may split a pair: lone surrogates are cases too). */
function fill(length: number, piece: () => string): string {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const part = piece();
    parts.push(part);
    size += part.length;
  }
  return parts.join('').slice(0, length);
}

type Kind = (length: number, r: FuzzRandom) => LongText;

const kinds: Kind[] = [
  (n, r) => {
    const vocabulary = words.slice(0, 1 + r.int(words.length));
    return { text: fill(n, () => r.pick(vocabulary) + r.pick(separators)), description: `${vocabulary.length} repeated words` };
  },
  (n, r) => {
    const letter = r.pick(['a', 'z', '9', 'é', '_', '-', '.']);
    return { text: letter.repeat(n), description: `one unbroken run of "${letter}"` };
  },
  (n, r) => ({ text: fill(n, () => String.fromCharCode(0x61 + r.int(26))), description: 'one unbroken run of random letters' }),
  (n, r) => {
    const spaced = r.chance(0.3);
    return { text: fill(n, () => String.fromCodePoint(r.chance(0.9) ? 0x4e00 + r.int(0x5200) : 0x20000 + r.int(0xa6e0)) + (spaced && r.chance(0.1) ? ' ' : '')), description: `CJK${spaced ? ' with spaces' : ''}` };
  },
  (n, r) => ({ text: fill(n, () => r.pick(emoji)), description: 'emoji sequences' }),
  (n, r) => {
    const stack = 1 + r.int(r.chance(0.5) ? 8 : 2_000);
    return { text: fill(n, () => 'aeo'[r.int(3)] + Array.from({ length: stack }, () => String.fromCharCode(0x300 + r.int(0x70))).join('')), description: `letters under ${stack} combining marks each` };
  },
  (n, r) => ({ text: fill(n, () => r.pick(rtl) + (r.chance(0.5) ? ' ' : '')), description: 'right-to-left text with bidi controls' }),
  (n, r) => ({ text: fill(n, () => r.pick(invisible)), description: 'control, invisible and lone surrogate characters' }),
];

/** One long text of 10^minExp to 10^maxExp characters. */
export function longText(random: FuzzRandom, minExp = 3, maxExp = 6): LongText {
  const length = Math.round(10 ** (minExp + random.float() * (maxExp - minExp)));
  if (random.chance(0.15)) {
    // A mixture: pieces of several kinds one after another.
    const parts = Array.from({ length: 2 + random.int(4) }, () => random.pick(kinds)(Math.ceil(length / 4), random));
    const text = parts.map((p) => p.text).join(' ').slice(0, length);
    return { text, description: `${text.length} characters: mixture of ${parts.map((p) => p.description).join(' + ')}` };
  }
  const made = random.pick(kinds)(length, random);
  return { text: made.text, description: `${made.text.length} characters: ${made.description}` };
}
