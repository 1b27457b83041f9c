/**
 * Reading an image file into memory before it is decoded. Decoding from a path lets libvips map the file, and a
 * mapped file that shrinks while it is read (an editor or a download rewriting it) kills the whole process with
 * SIGBUS: 2 of 30 CLI runs, and an extension host after about 150 hover decodes (issue 19 item 2).
 */
import { badInput } from '../../core/errors';
import { FileReadError, readRegularFile } from '../../core/regularFile';
import { SUPPORTED_FORMATS } from './imageFormat';

/** Bytes an image file may have per pixel of the decode limit (16-bit RGBA stored raw is 8), plus room for metadata. */
const BYTES_PER_PIXEL = 8;
const METADATA_BYTES = 16 * 1024 * 1024;

/** The whole file at `path`; every failure is a badInput error that names the path and says what to do. */
export async function readImageFile(path: string, maxPixels: number): Promise<Buffer> {
  const limit = maxPixels * BYTES_PER_PIXEL + METADATA_BYTES;
  try {
    return await readRegularFile(path, limit);
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw refusal(path, error, limit);
  }
}

function refusal(path: string, error: FileReadError, limit: number): Error {
  switch (error.reason) {
    case 'missing':
      return badInput(`Image not found: ${path}.`, 'Check the path and the file name.');
    case 'denied':
      return badInput(`${path}: permission denied.`, 'Make the file readable (e.g. `chmod u+r`) or copy it somewhere you can read.');
    case 'folder':
      return badInput(`${path} is a folder, not an image.`, `Give the path of a ${SUPPORTED_FORMATS} file.`);
    case 'empty':
      return badInput(`${path} is empty (0 bytes).`, 'The file may not have finished downloading or copying; replace it.');
    case 'special':
      return badInput(`${path} is not a regular file (a device, pipe or socket).`, 'Give the path of an image file.');
    case 'tooLarge':
      return badInput(`${path}: the file is ${error.size} bytes, more than an image within the pixel limit can need (${limit}).`, 'If you trust it, raise the image pixel limit; otherwise downscale or recompress it.');
    default:
      return badInput(`${path}: cannot be read (${error.code ?? 'unknown error'}).`, 'Check the path and the file permissions.');
  }
}
