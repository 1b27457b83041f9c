/**
 * The lines of a text file, read in chunks so that a manifest of any length takes bounded memory. LF, CRLF and
 * a lone CR end a line (as readline has it); a UTF-8 byte-order mark (as Windows editors save) is dropped.
 * The file is opened through one descriptor that must be a regular file (a FIFO would block a stream forever),
 * and a line longer than `maxLineBytes` is refused before it is held whole: one line past V8's string limit
 * (about 512 MB) ended in an uncaught RangeError.
 */
import { basename } from 'node:path';
import { badInput } from '../../core/errors';
import { FileReadError, openRegularFile } from '../../core/regularFile';
import { manifestFileError } from './manifestFile';

/** One line and its 1-based number. */
export interface NumberedLine {
  text: string;
  number: number;
}

/** How lines are read. */
export interface LineOptions {
  /** The longest line (in UTF-8 bytes, without its line end) read; longer is badInput (default MAX_LINE_BYTES). */
  maxLineBytes?: number;
}

/** The default line bound: far above any manifest row, far below V8's string limit. */
export const MAX_LINE_BYTES = 64 * 2 ** 20;

const CHUNK_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;

/** "64 MB" for a bound of whole MiB, else nothing (the byte count is given anyway). */
function megabytes(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? ` (${bytes / 2 ** 20} MB)` : '';
}

/** The error for line `number` of `path` that reached more than `max` bytes. */
export function lineTooLong(path: string, number: number, max: number): Error {
  return badInput(
    `${basename(path)} line ${number} is longer than ${max} bytes${megabytes(max)}, the longest line a manifest may have.`,
    'A JSON Lines or CSV manifest holds one row per line; check that the file has line breaks (a COCO captions file, one JSON document, is a .json file).',
  );
}

/** Yields the lines of `path`; stopping early (break, return) closes the file. */
export async function* textLines(path: string, options: LineOptions = {}): AsyncGenerator<NumberedLine> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const { handle } = await openRegularFile(path).catch((error: unknown) => {
    throw error instanceof FileReadError ? manifestFileError(path, error) : error;
  });
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** The current line's bytes from earlier chunks, and their total. */
  let parts: Buffer[] = [];
  let held = 0;
  let number = 0;
  /** The last chunk ended in CR: an LF that starts the next one belongs to it. */
  let afterCr = false;
  /** Checks that `bytes` more fit the bound. */
  const fits = (bytes: number): void => {
    if (held + bytes > max) throw lineTooLong(path, number + 1, max);
  };
  /** The current line, ending with chunk[start, end). */
  const line = (start: number, end: number): NumberedLine => {
    fits(end - start);
    number += 1;
    const text = parts.length === 0 ? chunk.toString('utf8', start, end) : Buffer.concat([...parts, chunk.subarray(start, end)]).toString('utf8');
    parts = [];
    held = 0;
    return { text: number === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, number };
  };
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const bytes = chunk.subarray(0, bytesRead);
      let start = afterCr && bytes[0] === LF ? 1 : 0;
      afterCr = false;
      // The next LF and CR at or after `start` (-1: none in this chunk), each searched again once passed.
      let lf = bytes.indexOf(LF, start);
      let cr = bytes.indexOf(CR, start);
      while (lf >= 0 || cr >= 0) {
        const end = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr;
        yield line(start, end);
        start = end + 1;
        if (end === cr) {
          if (cr + 1 === bytesRead) afterCr = true;
          else if (bytes[cr + 1] === LF) start += 1;
          cr = bytes.indexOf(CR, start);
        }
        if (lf >= 0 && lf < start) lf = bytes.indexOf(LF, start);
      }
      if (start < bytesRead) {
        fits(bytesRead - start);
        // A copy: the chunk is overwritten by the next read.
        parts.push(Buffer.from(chunk.subarray(start, bytesRead)));
        held += bytesRead - start;
      }
    }
    if (held > 0) yield line(0, 0);
  } finally {
    await handle.close();
  }
}
