/**
 * Writing results: JSON to a file or standard output, and whole files written atomically (a temporary file
 * renamed into place) so an interrupted run never leaves a half-written report behind.
 */
import { rename, writeFile } from 'node:fs/promises';
import { badInput } from '../core/errors';
import type { ProgressCallback } from '../core/progress';

/** Writes `value` as indented JSON to `target` (`-` for standard output). */
export async function writeJson(target: string, value: unknown): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (target === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
  } else {
    await writeFileAtomically(target, text);
  }
}

/** Writes `text` to `path` through a temporary file in the same folder. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    throw badInput(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'Check that the folder exists and is writable.');
  }
}

/** Progress on standard error while it is a terminal (a callback, or none), and `clear` to erase the line after. */
export function terminalProgress(): { onProgress?: ProgressCallback; clear(): void } {
  if (!process.stderr.isTTY) return { clear: () => {} };
  return {
    onProgress: (p) => process.stderr.write(`\r${p.stage} ${p.done}/${p.total} `),
    clear: () => process.stderr.write('\r\x1b[K'),
  };
}
