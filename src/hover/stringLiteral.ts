/**
 * Image references in any language: the string literal under the cursor, when its value ends in an image
 * extension. The line is scanned from its start for '...', "..." and `...` literals with backslash escapes,
 * which covers TypeScript, Python (prefixes such as r or f are outside the quotes), JSON, YAML, C and most
 * others; a literal spanning lines is not looked at. Each quote character is paired on its own and the
 * shortest literal wins, so a "path" inside a `code span` or an apostrophe in "it's a.png" still works.
 */
import { hasImageExtension } from '../shared/imagePaths';
import { lineAt, type ImageReference } from './imageReference';

const QUOTES = ['"', "'", '`'];

/** The image path in the string literal covering `offset`, quotes included in the span. */
export function findStringLiteralReference(text: string, offset: number): ImageReference | undefined {
  const line = lineAt(text, offset);
  let best: ImageReference | undefined;
  for (const quote of QUOTES) {
    const found = literalAt(text, line.start, line.end, quote, offset);
    if (found && (!best || found.end - found.start < best.end - best.start)) best = found;
  }
  return best;
}

/** The `quote`-delimited literal covering `offset` in text[from, to), when its value is an image path. */
function literalAt(text: string, from: number, to: number, quote: string, offset: number): ImageReference | undefined {
  for (let open = text.indexOf(quote, from); open >= 0 && open < to && open <= offset; ) {
    const close = closingQuote(text, open, to);
    if (close < 0) return undefined;
    if (offset <= close) {
      const value = unescape(text.slice(open + 1, close)).trim();
      return value !== '' && hasImageExtension(value) ? { path: value, start: open, end: close + 1 } : undefined;
    }
    open = text.indexOf(quote, close + 1);
  }
  return undefined;
}

function closingQuote(text: string, open: number, end: number): number {
  for (let i = open + 1; i < end; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === text[open]) return i;
  }
  return -1;
}

/** Escaped backslashes and quotes only: other backslashes stay, so raw strings and Windows paths like r"C:\data\a.png" keep theirs. */
function unescape(body: string): string {
  return body.replace(/\\([\\'"`])/g, '$1');
}
