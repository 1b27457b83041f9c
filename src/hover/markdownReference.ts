/**
 * Image references in Markdown: inline image links `![alt](destination "title")` (CommonMark: the
 * destination may be in angle brackets and may hold balanced parentheses) and HTML `<img src alt>` tags. The
 * alt text is the caption. Only the line under the cursor is searched, as both forms are written on one line.
 */
import { hasImageExtension } from '../shared/imagePaths';
import { lineAt, type ImageReference } from './imageReference';

const IMAGE_LINK = /!\[((?:\\.|[^\]\\\n])*)\]\(\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const IMG_TAG = /<img\b[^>]*>/gi;
const ATTRIBUTE = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The image link or `<img>` tag of `text` that covers `offset`, when it points at an image file. */
export function findMarkdownReference(text: string, offset: number): ImageReference | undefined {
  const line = lineAt(text, offset);
  const source = text.slice(line.start, line.end);
  const at = offset - line.start;
  for (const match of source.matchAll(IMAGE_LINK)) {
    if (!covers(match, at)) continue;
    const destination = match[2].startsWith('<') ? match[2].slice(1, -1) : match[2];
    return reference(urlPath(unescapeMarkdown(destination)), unescapeMarkdown(match[1]), line.start + match.index, match[0].length);
  }
  for (const match of source.matchAll(IMG_TAG)) {
    if (!covers(match, at)) continue;
    const attributes = new Map<string, string>();
    for (const a of match[0].matchAll(ATTRIBUTE)) attributes.set(a[1].toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4]));
    const src = attributes.get('src');
    if (src) return reference(urlPath(src), attributes.get('alt'), line.start + match.index, match[0].length);
  }
  return undefined;
}

function covers(match: RegExpMatchArray, at: number): boolean {
  return match.index !== undefined && match.index <= at && at <= match.index + match[0].length;
}

function reference(path: string | undefined, caption: string | undefined, start: number, length: number): ImageReference | undefined {
  if (!path || !hasImageExtension(path)) return undefined;
  const text = caption?.trim();
  return { path, caption: text ? text : undefined, start, end: start + length };
}

/** A Markdown destination as a path: remote URLs are refused, query and fragment dropped, %-escapes decoded. */
function urlPath(destination: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(destination)?.[1].toLowerCase();
  // One letter is a Windows drive (C:\...), not a scheme.
  if (scheme && scheme.length > 1 && scheme !== 'file') return undefined;
  const bare = scheme === 'file' ? destination : destination.replace(/[?#].*$/, '');
  try {
    return scheme === 'file' ? bare : decodeURIComponent(bare);
  } catch {
    return bare;
  }
}

/** CommonMark backslash escapes: a backslash before ASCII punctuation stands for that character. */
function unescapeMarkdown(text: string): string {
  return decodeEntities(text.replace(/\\([!-/:-@[-`{-~])/g, '$1'));
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1].toLowerCase() === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
