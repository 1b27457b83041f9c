/**
 * What a hover looks for: a reference to an image file in a document, found by the format-specific finders
 * (Markdown, dataset manifests, string literals) and resolved to a file by resolveImagePath.
 */

/** An image reference in a document, as written there. Offsets are UTF-16 code units into the document text. */
export interface ImageReference {
  /** The path as written (relative, absolute or a file: URI), unescaped from its syntax. */
  path: string;
  /** The text that goes with the image: Markdown alt text, a manifest row's caption. */
  caption?: string;
  /** The span the hover covers: [start, end). */
  start: number;
  end: number;
}

/** The line around `offset` in `text`: its start and end offsets (the line break excluded). */
export function lineAt(text: string, offset: number): { start: number; end: number } {
  const start = offset > 0 ? text.lastIndexOf('\n', offset - 1) + 1 : 0;
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  return { start, end: end > start && text[end - 1] === '\r' ? end - 1 : end };
}
