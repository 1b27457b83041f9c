/**
 * Reads one JSON file of a model folder. Errors name the file and, for a syntax error, the line and column,
 * because these files are often hand-edited.
 */
import { badModel } from '../../core/errors';
import { FileReadError, readRegularFile } from '../../core/regularFile';

/** The largest JSON file of a model folder read (tokenizer.json files of large vocabularies reach tens of MB). */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** Reads and parses `path`; `name` is how errors refer to it (e.g. "config.json"). Undefined when absent. */
export async function readJsonFile(path: string, name: string, fix: string): Promise<unknown> {
  let text: string;
  try {
    text = (await readRegularFile(path, MAX_JSON_BYTES)).toString('utf8');
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    if (error.reason === 'missing') return undefined;
    throw refusal(error, path, name, fix);
  }
  try {
    return JSON.parse(stripBom(text));
  } catch (error) {
    throw badModel(name, `is not valid JSON: ${describeSyntaxError(String((error as Error).message), text)}`, fix);
  }
}

function refusal(error: FileReadError, path: string, name: string, fix: string): Error {
  switch (error.reason) {
    case 'folder':
      return badModel(name, `is a folder, not a file (${path})`, fix);
    case 'empty':
      return badModel(name, `is empty (0 bytes: ${path})`, 'The file may not have finished downloading or copying; download or export it again.');
    case 'special':
      return badModel(name, `is not a regular file (a device, pipe or socket: ${path})`, 'Replace it with the JSON file itself.');
    case 'tooLarge':
      return badModel(name, `is ${error.size} bytes, more than the ${MAX_JSON_BYTES} a model folder's JSON file may have (${path})`, fix);
    default:
      return badModel(name, `cannot be read (${error.code ?? error.reason}: ${path})`, 'Check the file permissions.');
  }
}

/** Windows editors save UTF-8 with a byte-order mark, which JSON.parse rejects; Python's json tolerates it. */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** V8's message plus the line and column of the error; V8 gives an offset for some errors and none for others. */
export function describeSyntaxError(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : lastViablePrefix(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  // V8 quotes a multi-line snippet of the file for some errors; the line and column say it better.
  const short = message.replace(/, (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, '');
  // V8 quotes the offending character as is: a raw line break or tab would break the message in two.
  const visible = [...short].map((c) => (c < ' ' ? JSON.stringify(c).slice(1, -1) : c)).join('');
  return `${visible} (line ${line}, column ${column})`;
}

/** The longest prefix that is still the start of some valid JSON: where parsing goes wrong. Only on error paths. */
function lastViablePrefix(text: string): number {
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (isViablePrefix(text.slice(0, mid))) good = mid;
    else bad = mid;
  }
  return good;
}

function isViablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    const match = /at position (\d+)/.exec(message);
    return message.startsWith('Unexpected end') || (match !== null && Number(match[1]) === prefix.length);
  }
}
