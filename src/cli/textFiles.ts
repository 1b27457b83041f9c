/**
 * Texts from the command line and from files: `--text T` (repeatable) and `--text-file FILE` (one text per
 * line, `-` for standard input), so texts of any length or number need not pass through the command line,
 * which stops at 128 KiB per argument.
 */
import { readFileSync, statSync } from 'node:fs';
import { badInput, LensError } from '../core/errors';
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

/** The `--flag-file` path, when one is given and is not standard input: an input the outputs must not overwrite. */
export function textFileInputs(values: FlagValues, flag: string): string[] {
  const file = values[`${flag}-file`];
  return typeof file === 'string' && file !== '-' ? [file] : [];
}

/** The non-empty lines of a UTF-8 file (LF or CRLF, a byte-order mark dropped); `-` reads standard input. */
function textFileLines(path: string, flag: string): string[] {
  const tooLarge = (size: number) => badInput(`${flag} ${path}: is ${size} bytes, more than the ${MAX_TEXT_FILE_BYTES} a file of texts may have.`, 'Split it, or pass fewer texts.');
  let bytes: Buffer;
  try {
    // A file's size is checked before it is read; standard input can only be measured by reading it.
    const size = path === '-' ? 0 : statSync(path).size;
    if (size > MAX_TEXT_FILE_BYTES) throw tooLarge(size);
    bytes = readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    if (error instanceof LensError) throw error;
    throw badInput(`${flag} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, 'Give a text file with one text per line, or - for standard input.');
  }
  if (bytes.length > MAX_TEXT_FILE_BYTES) throw tooLarge(bytes.length);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}
