/**
 * Every image path written in some lines of text (Markdown links, quoted strings in code or manifests, bare
 * paths), for Analyze Image with Selected Text, which looks on the selection's lines for the image its caption
 * goes with. Resolving a path to a file is src/hover/resolveImagePath's job.
 */
import { IMAGE_EXTENSIONS } from './imagePaths';

const EXT = `\\.(?:${IMAGE_EXTENSIONS.join('|')})`;
/** A Markdown link target: `](path)`, `](<path with spaces>)`, optionally with a title. */
const MARKDOWN = new RegExp(`\\]\\(\\s*(?:<([^>\\n]+?${EXT})>|([^\\s)]+?${EXT}))(?:\\s+["'(][^)]*)?\\s*\\)`, 'gi');
/** A quoted string ending in an image extension: paths with spaces live here. */
const QUOTED = new RegExp(`(["'\`])([^"'\`\\n]*?${EXT})\\1`, 'gi');
/** A bare token ending in an image extension. */
const BARE = new RegExp(`[^\\s"'\`()<>\\[\\]{},;|=]+${EXT}(?![\\w.])`, 'gi');
/** A URL with a scheme other than file: not a local file. */
const REMOTE = /^(?!file:)[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The image paths written in `text`, as written (relative, absolute or file: URIs), in order of appearance,
 * without duplicates; remote URLs are left out.
 */
export function imagePathCandidates(text: string): string[] {
  const found: { at: number; end: number; path: string }[] = [];
  for (const m of text.matchAll(MARKDOWN)) found.push({ at: m.index, end: m.index + m[0].length, path: m[1] ?? m[2] });
  for (const m of text.matchAll(QUOTED)) found.push({ at: m.index, end: m.index + m[0].length, path: m[2] });
  // A bare match inside a link or a quoted path is only the tail of a path with spaces, not a path of its own.
  const inside = (at: number) => found.some((f) => f.at <= at && at < f.end);
  for (const m of text.matchAll(BARE)) if (!inside(m.index)) found.push({ at: m.index, end: m.index + m[0].length, path: m[0] });
  const paths: string[] = [];
  for (const { path } of found.sort((a, b) => a.at - b.at)) {
    const trimmed = path.trim();
    if (trimmed !== '' && !REMOTE.test(trimmed) && !paths.includes(trimmed)) paths.push(trimmed);
  }
  return paths;
}

/** Markdown writes spaces and other characters percent-encoded: the path as written, then decoded when that differs. */
export function pathSpellings(path: string): string[] {
  try {
    const decoded = decodeURIComponent(path);
    return decoded === path ? [path] : [path, decoded];
  } catch {
    return [path];
  }
}
