/**
 * Why a manifest file was not read, as the user's error: the readers open it through one descriptor
 * (src/core/regularFile.ts), so a FIFO or a device is refused at once instead of blocking or never ending.
 */
import { basename } from 'node:path';
import { badInput, type LensError } from '../../core/errors';
import type { FileReadError } from '../../core/regularFile';

const GIVE_FILE = 'Give the path of a .jsonl, .csv or COCO .json manifest file.';

/** The badInput error for a manifest `path` that `error` refused; `maxBytes` is the bound of a whole-file read. */
export function manifestFileError(path: string, error: FileReadError, maxBytes?: number): LensError {
  const name = basename(path);
  switch (error.reason) {
    case 'missing':
      return badInput(`The manifest ${path} does not exist or is not a file.`, GIVE_FILE);
    case 'folder':
      return badInput(`The manifest ${path} does not exist or is not a file (it is a folder).`, GIVE_FILE);
    case 'special':
      return badInput(`${name} is not a regular file (a FIFO, device or socket: ${path}).`, `A manifest is read from a file on disk, not a pipe or device; save it to a file first. ${GIVE_FILE}`);
    case 'denied':
      return badInput(`${name}: permission denied (${path}).`, `Make the file readable (chmod u+r ${path}).`);
    case 'empty':
      return badInput(`${name} is empty (0 bytes: ${path}).`, 'The file may not have finished copying or downloading; write the manifest again.');
    case 'tooLarge':
      return badInput(`${name} is ${error.size} bytes, more than the ${maxBytes} a COCO captions file may have (${path}).`, 'Split it into smaller files, or convert it to a JSON Lines manifest, which is read line by line.');
    default:
      return badInput(`Cannot read the manifest ${path} (${error.code ?? error.reason}).`, 'Check that the file is readable.');
  }
}
