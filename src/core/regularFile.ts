/**
 * Reading a whole file that must be a regular file of bounded size, through one descriptor: what is checked is
 * what is read. A path that names a FIFO would block a plain read forever (a FIFO named config.json hung the
 * loader), a device such as /dev/zero never ends, and a check-then-open on the path races with a symlink that
 * flips between the two. Callers turn the refusal into their own message.
 */
import { constants, open, type FileHandle } from 'node:fs/promises';

/** Why a file was not read. */
export type FileRefusal = 'missing' | 'denied' | 'folder' | 'empty' | 'special' | 'tooLarge' | 'unreadable';

/** A file that could not be read, with why; `size` for tooLarge, `code` for the system's error. */
export class FileReadError extends Error {
  /** @param reason why it was refused  @param size its size in bytes, when known  @param code the errno code */
  constructor(readonly reason: FileRefusal, readonly size?: number, readonly code?: string) {
    super(`file not read: ${reason}${code ? ` (${code})` : ''}`);
    this.name = 'FileReadError';
  }
}

/**
 * A descriptor of the regular file at `path`, for reading it in pieces (a streamed manifest); throws
 * FileReadError for a missing, unreadable or special file or a folder. The caller closes it.
 */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    const reason = e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'missing' : e.code === 'EACCES' || e.code === 'EPERM' ? 'denied' : 'unreadable';
    throw new FileReadError(reason, undefined, e.code);
  });
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new FileReadError('folder');
    if (!info.isFile()) throw new FileReadError('special');
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The bytes of the regular file at `path`, at most `maxBytes` of them; throws FileReadError otherwise. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path);
  try {
    if (size === 0) throw new FileReadError('empty');
    if (size > maxBytes) throw new FileReadError('tooLarge', size);
    const bytes = await readUpTo(handle, size);
    // Emptied between the size check and the read: the same as a file that was empty all along.
    if (bytes.length === 0) throw new FileReadError('empty');
    return bytes;
  } finally {
    await handle.close();
  }
}

/** At most `size` bytes from the start: a file that shrank gives what is left. */
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
