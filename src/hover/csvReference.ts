/**
 * Image references in CSV manifests: the record under the cursor, read against the header row. Records are
 * found by a scan from the top, because a quoted field may hold line breaks; CRLF line ends and a UTF-8 byte
 * order mark are accepted. Fields are split by the same RFC 4180 reader the probe's manifests use.
 */
import { splitCsvRecord } from '../inference/datasets/csvRecord';
import type { ImageReference } from './imageReference';
import { manifestRowFields } from './manifestRow';

/** The manifest row under `offset` in a CSV document whose first record names the columns. */
export function findCsvReference(text: string, offset: number): ImageReference | undefined {
  const bom = text.startsWith('\ufeff') ? 1 : 0;
  let header: string[] | undefined;
  for (let start = bom; start < text.length; ) {
    const end = recordEnd(text, start);
    const fields = splitCsvRecord(text.slice(start, end).replace(/\r$/, ''));
    if (!header) header = fields;
    else if (start <= offset && offset <= end && fields) {
      const row = manifestRowFields(header.map((name, i) => [name, fields[i]]));
      return row ? { ...row, start, end: text[end - 1] === '\r' ? end - 1 : end } : undefined;
    }
    if (end >= offset && header) return undefined;
    start = end + 1;
  }
  return undefined;
}

/** Where the record starting at `start` ends: the index of the first line break outside a quoted field, or the text's end. */
function recordEnd(text: string, start: number): number {
  let fieldStart = true;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return i;
    if (c === '"' && fieldStart) i = closingQuote(text, i);
    fieldStart = c === ',';
  }
  return text.length;
}

/** The index of the quote that closes the quoted field opening at `open` ("" is an escaped quote), or the text's end. */
function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (text[i + 1] !== '"') return i;
    i++;
  }
  return text.length;
}
