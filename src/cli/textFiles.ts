/**
 * Texts from the command line and from files: `--text T` (repeatable) and `--text-file FILE` (one text per
 * line, `-` for standard input), so texts of any length or number need not pass through the command line,
 * which stops at 128 KiB per argument.
 */
import { readFileSync } from 'node:fs';
import { badInput } from '../core/errors';
import type { CliCommand, FlagSpec, FlagValues } from './command';

/** Largest text file read (a file of texts, not a corpus). */
const MAX_TEXT_FILE_BYTES = 64 * 1024 * 1024;

/** The flags for texts called `flag`: `--flag` repeatable and `--flag-file`. */
export function textFlags(flag: string): FlagSpec {
  return { [flag]: { type: 'string', multiple: true }, [`${flag}-file`]: { type: 'string' } };
}

/** The `--flag` values, then the lines of `--flag-file`; an error when there are none at all. */
export function textList(values: FlagValues, flag: string, command: CliCommand): string[] {
  const given = values[flag];
  const file = values[`${flag}-file`];
  // concat, not push(...lines): a spread of a million lines overflows the call stack.
  const texts = (Array.isArray(given) ? given : []).concat(typeof file === 'string' ? textFileLines(file, `--${flag}-file`) : []);
  if (texts.length === 0) throw badInput(`mmlens ${command.name} needs at least one --${flag} or a --${flag}-file.`, `Usage: mmlens ${command.usage}`);
  return texts;
}

/** The non-empty lines of a UTF-8 file (LF or CRLF, a byte-order mark dropped); `-` reads standard input. */
function textFileLines(path: string, flag: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    throw badInput(`${flag} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, 'Give a text file with one text per line, or - for standard input.');
  }
  if (bytes.length > MAX_TEXT_FILE_BYTES) throw badInput(`${flag} ${path}: is ${bytes.length} bytes, more than the ${MAX_TEXT_FILE_BYTES} a file of texts may have.`, 'Split it, or pass fewer texts.');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}
