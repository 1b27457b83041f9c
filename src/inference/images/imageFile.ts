/**
 * Reading an image file into memory before it is decoded. Decoding from a path lets libvips map the file, and a
 * mapped file that shrinks while it is read (an editor or a download rewriting it) kills the whole process with
 * SIGBUS: 2 of 30 CLI runs, and an extension host after about 150 hover decodes (issue 19 item 2). One open
 * descriptor also closes the race between checking a path and reading it (a symlink flipped to a FIFO between
 * the two hung the reader): what is checked is what is read.
 */
import { constants, open, type FileHandle } from 'node:fs/promises';
import { badInput } from '../../core/errors';

/** Bytes an image file may have per pixel of the decode limit (16-bit RGBA stored raw is 8), plus room for metadata. */
const BYTES_PER_PIXEL = 8;
const METADATA_BYTES = 16 * 1024 * 1024;

/** The whole file at `path`, read through one descriptor; every failure is a badInput error that names the path. */
export async function readImageFile(path: string, maxPixels: number): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    throw openError(path, e);
  });
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw badInput(`${path} is a folder, not an image.`, 'Give the path of a PNG, JPEG, WebP, GIF, TIFF or AVIF file.');
    if (info.size === 0) throw emptyFile(path);
    if (!info.isFile()) throw badInput(`${path} is not a regular file (a device, pipe or socket).`, 'Give the path of an image file.');
    const limit = maxPixels * BYTES_PER_PIXEL + METADATA_BYTES;
    if (info.size > limit) {
      throw badInput(`${path}: the file is ${info.size} bytes, more than an image within the pixel limit can need (${limit}).`, 'If you trust it, raise the image pixel limit; otherwise downscale or recompress it.');
    }
    const bytes = await readUpTo(handle, info.size);
    // Emptied between the size check and the read: said the same way as a file that was empty all along.
    if (bytes.length === 0) throw emptyFile(path);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** At most `size` bytes from the start: a file that shrank gives what is left (the decoder then calls it truncated). */
async function readUpTo(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function emptyFile(path: string): Error {
  return badInput(`${path} is empty (0 bytes).`, 'The file may not have finished downloading or copying; replace it.');
}

function openError(path: string, e: NodeJS.ErrnoException): Error {
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return badInput(`Image not found: ${path}.`, 'Check the path and the file name.');
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return badInput(`${path}: permission denied.`, 'Make the file readable (e.g. `chmod u+r`) or copy it somewhere you can read.');
  }
  return badInput(`${path}: cannot be read (${e.code ?? e.message}).`, 'Check the path and the file permissions.');
}
