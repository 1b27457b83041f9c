/**
 * The lines of a text file, read through a stream so that a manifest of any length takes bounded memory.
 * LF and CRLF both end a line; a UTF-8 byte-order mark (as Windows editors save) is dropped. A read error
 * (EISDIR, EACCES) is thrown from the loop by readline.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line and its 1-based number. */
export interface NumberedLine {
  text: string;
  number: number;
}

/** Yields the lines of `path`; stopping early (break, return) closes the file. */
export async function* textLines(path: string): AsyncGenerator<NumberedLine> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      yield { text: number === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line, number };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
