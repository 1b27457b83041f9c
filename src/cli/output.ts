/**
 * Writing results: JSON to a file or standard output, and whole files written atomically (a temporary file
 * renamed into place) so an interrupted run never leaves a half-written report behind.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { badInput } from '../core/errors';
import type { ProgressCallback } from '../core/progress';
import { jsonChunks } from './jsonChunks';

/**
 * Writes `value` as indented JSON to `target` (`-` for standard output), piece by piece: no single string holds
 * the whole text, so results larger than V8's longest string are written too.
 */
export async function writeJson(target: string, value: unknown): Promise<void> {
  const pieces = (function* () {
    yield* jsonChunks(value);
    yield '\n';
  })();
  if (target === '-') {
    for (const piece of pieces) await new Promise<void>((resolve, reject) => process.stdout.write(piece, (error) => (error ? reject(error) : resolve())));
  } else {
    await writeFileAtomically(target, pieces);
  }
}

/**
 * Writes `text` (one string, or pieces written in turn) to `path` through a temporary file in the same folder.
 * Its name is random and it must not exist yet (`wx`): a predictable name let a symlink planted there redirect
 * the write; a failed write removes it.
 */
export async function writeFileAtomically(path: string, text: string | Iterable<string>): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'wx');
    try {
      for (const piece of typeof text === 'string' ? [text] : text) await file.write(piece);
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw badInput(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'Check that the folder exists and is writable.');
  }
}

/**
 * Says where each written file is (`-`, standard output, is no file): after the summary on standard output, or on
 * standard error when the JSON claims standard output.
 */
export function sayWritten(files: (string | undefined)[], json?: string): void {
  const say = json === '-' ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
  for (const file of files) if (file !== undefined && file !== '-') say(`wrote ${resolve(file)}`);
}

/** Refuses, before any work, outputs that are one of the inputs (the same path, or the same file by another name). */
export function refuseOverwritingInputs(outputs: (string | undefined)[], inputs: string[]): void {
  const identity = (path: string) => {
    const info = statSync(path, { throwIfNoEntry: false });
    return info ? `${info.dev}:${info.ino}` : resolve(path);
  };
  const taken = new Map(inputs.map((input) => [identity(input), input]));
  for (const output of outputs) {
    if (output === undefined || output === '-') continue;
    const input = taken.get(identity(output));
    if (input !== undefined) throw badInput(`The output ${output} is the input ${input}; writing it would destroy the input.`, 'Choose another output file name.');
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
