/**
 * Characters (code points, so a surrogate pair is never cut in half) of texts that may be huge: a label from a
 * settings file or a text from a file can be megabytes, and spreading it into an array costs memory per character.
 */

/** The first `count` characters of `text`, reading at most 2 x `count` code units of it. */
export function firstCharacters(text: string, count: number): string {
  return Array.from(text.slice(0, 2 * count)).slice(0, count).join('');
}

/** How many characters `text` has, counted without copying it. */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++, count++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}
