/**
 * Finds the image reference under the cursor: first in the document's own format (Markdown image, manifest
 * row), then as a string literal, which every language may hold.
 */
import { findCsvReference } from './csvReference';
import type { ImageReference } from './imageReference';
import { findJsonlReference, findJsonReference } from './jsonReference';
import { findMarkdownReference } from './markdownReference';
import { findStringLiteralReference } from './stringLiteral';

/** The formats with their own reference syntax; everything else is 'other' (string literals only). */
export type DocumentKind = 'markdown' | 'json' | 'jsonl' | 'csv' | 'other';

/**
 * JSON and CSV rows are found by scanning from the top of the document (a row may span lines); above this
 * size that costs too much per hover and only line-based finders run.
 */
export const MAX_SCANNED_CHARS = 16 * 1024 * 1024;

const BY_LANGUAGE: Record<string, DocumentKind> = { markdown: 'markdown', mdx: 'markdown', json: 'json', jsonc: 'json', jsonl: 'jsonl', csv: 'csv' };
const BY_EXTENSION: Record<string, DocumentKind> = { md: 'markdown', markdown: 'markdown', mdx: 'markdown', json: 'json', jsonl: 'jsonl', ndjson: 'jsonl', csv: 'csv' };

/** The kind of a document, by its VS Code language id or else its file extension (a .jsonl may be opened as plain text). */
export function documentKind(languageId: string, fileName: string): DocumentKind {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1].toLowerCase() ?? '';
  return BY_LANGUAGE[languageId] ?? BY_EXTENSION[extension] ?? 'other';
}

/** The image reference covering `offset` in `text`, a document of `kind`. */
export function findImageReference(text: string, offset: number, kind: DocumentKind): ImageReference | undefined {
  const small = text.length <= MAX_SCANNED_CHARS;
  const own =
    kind === 'markdown' ? findMarkdownReference(text, offset)
    : kind === 'jsonl' ? findJsonlReference(text, offset)
    : kind === 'json' && small ? findJsonReference(text, offset)
    : kind === 'csv' && small ? findCsvReference(text, offset)
    : undefined;
  return own ?? findStringLiteralReference(text, offset);
}
