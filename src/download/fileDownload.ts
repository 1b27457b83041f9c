/**
 * Downloads one repo file into `<dest>.part`, then renames it, so a cancelled or broken download never
 * leaves a final file that looks complete. A `.part` left behind is resumed with a Range request; a broken
 * connection is retried from where it stopped; size and hash are checked before the rename.
 */
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { badInput, badModel, LensError } from '../core/errors';
import { throwIfCancelled } from '../core/progress';
import { contentHash, hashExisting, type ContentHash } from './contentHash';
import { hubGet, networkCause, type HubAccess } from './hubHttp';
import type { RepoFile } from './repoFiles';
import type { RepoRef } from './repoRef';

/** One file to fetch: what the Hub lists, where to get it and where it goes. */
export interface FileJob {
  file: RepoFile;
  url: string;
  dest: string;
}

/** Cancellation, byte progress and retry policy of a file download. */
export interface FileDownloadOptions {
  signal?: AbortSignal;
  /** Called with each change of the bytes on disk (negative when a restart discards a partial file). */
  onBytes: (delta: number) => void;
  /** Attempts in a row that may end without a byte before giving up (default 3). */
  retries?: number;
  /** Wait before the n-th retry in a row: n times this (default 1000 ms). */
  retryDelayMs?: number;
  /** A response body that sends nothing for this long counts as a broken connection (default 60 000 ms). */
  stallMs?: number;
}

/** Where one request left the partial file, and why it stopped early if it did. */
interface Attempt {
  have: number;
  cause?: unknown;
}

/** Fetches `job.file` to `job.dest` unless a complete, matching copy is already there. */
export async function downloadFile(ref: RepoRef, access: HubAccess, job: FileJob, options: FileDownloadOptions): Promise<void> {
  const { file, dest } = job;
  if (await isComplete(dest, file)) {
    options.onBytes(file.size);
    return;
  }
  await rm(dest, { force: true });
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let have = (await stat(part).catch(() => undefined))?.size ?? 0;
  if (have > file.size) {
    await rm(part);
    have = 0;
  }
  const hash = { current: contentHash(file) };
  if (have > 0) await hashExisting(hash.current, part);
  options.onBytes(have);
  const handle = await open(part, 'a');
  try {
    // Progress is getting further into the file than ever before: a server that restarts the file (200) and
    // then breaks off at the same place again would otherwise reset the count on every attempt, forever.
    for (let failures = 0, furthest = have; have < file.size;) {
      throwIfCancelled(options.signal);
      const attempt = await transfer(ref, access, job, handle, have, hash, options);
      have = attempt.have;
      if (have >= file.size) break;
      failures = have > furthest ? 1 : failures + 1;
      furthest = Math.max(furthest, have);
      if (failures > (options.retries ?? 3)) {
        throw badInput(
          `The connection broke while downloading ${file.path} (${networkCause(attempt.cause)}); ${have} of ${file.size} bytes are kept in ${basename(part)}.`,
          'Run the download again: it resumes where it stopped.',
        );
      }
      await sleep((options.retryDelayMs ?? 1000) * failures, undefined, { signal: options.signal }).catch(() => throwIfCancelled(options.signal));
    }
  } finally {
    await handle.close();
  }
  await checkPart(part, file, hash.current);
  await rename(part, dest);
}

/** One request: resumes from `have` with a Range header; a 200 answer (server ignored the range) restarts the file. */
async function transfer(
  ref: RepoRef,
  access: HubAccess,
  job: FileJob,
  handle: FileHandle,
  have: number,
  hash: { current: ContentHash | undefined },
  options: FileDownloadOptions,
): Promise<Attempt> {
  const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
  const response = await hubGet(job.url, ref, access, job.file.path, { signal: options.signal, headers, accepted: [200, 206, 416] });
  if (response.status !== 206 || rangeStart(response) !== have) {
    // 200: the whole file again; 416 or a range we did not ask for: the partial file cannot be trusted.
    await handle.truncate(0);
    hash.current = contentHash(job.file);
    options.onBytes(-have);
    have = 0;
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return { have, cause: new Error(`HTTP ${response.status} to a range request`) };
    }
  }
  return readBody(response, job.file, handle, have, hash.current, options);
}

async function readBody(response: Response, file: RepoFile, handle: FileHandle, have: number, hash: ContentHash | undefined, options: FileDownloadOptions): Promise<Attempt> {
  const reader = response.body?.getReader();
  const next = () => (reader ? withinStall(reader, options.stallMs ?? DEFAULT_STALL_MS) : undefined);
  try {
    for (let chunk = await next(); chunk && !chunk.done; chunk = await next()) {
      if (have + chunk.value.byteLength > file.size) {
        await reader?.cancel();
        throw badModel(file.path, `the server sent more than the ${file.size} bytes the Hub lists`, 'Run the download again; if it fails the same way, check HF_ENDPOINT or the proxy.');
      }
      await handle.write(chunk.value);
      hash?.update(chunk.value);
      have += chunk.value.byteLength;
      options.onBytes(chunk.value.byteLength);
    }
    return { have, cause: have < file.size ? new Error('the server closed the connection early') : undefined };
  } catch (error) {
    throwIfCancelled(options.signal);
    if (error instanceof LensError) throw error;
    return { have, cause: error };
  }
}

const DEFAULT_STALL_MS = 60_000;

/** The reader's next chunk, or a thrown error (and the body cancelled) when none comes within `stallMs`. */
async function withinStall(reader: ReadableStreamDefaultReader<Uint8Array>, stallMs: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no data for ${stallMs / 1000} s`)), stallMs);
  });
  try {
    return await Promise.race([reader.read(), stalled]);
  } catch (error) {
    // Not awaited: cancelling a body whose server has gone quiet may itself wait on that server.
    void reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The first byte of a 206 answer, from `Content-Range: bytes <first>-<last>/<size>`. */
function rangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Size and hash of the finished part; a mismatch deletes it, since resuming it could never succeed. */
async function checkPart(part: string, file: RepoFile, hash: ContentHash | undefined): Promise<void> {
  const size = (await stat(part)).size;
  const digest = hash?.digest();
  if (size === file.size && digest === hash?.expected) return;
  await rm(part, { force: true });
  const problem = size !== file.size
    ? `the download has ${size} bytes, but the Hub lists ${file.size}`
    : `the download has ${hash?.algorithm} ${digest}, but the Hub lists ${hash?.expected}`;
  throw badModel(file.path, `${problem}; the partial file was deleted`, 'Run the download again; if it fails the same way, the file on the Hub or a proxy in between is corrupt.');
}

/** A final file of the right size whose hash matches (when the Hub lists one) need not be fetched again. */
async function isComplete(dest: string, file: RepoFile): Promise<boolean> {
  const info = await stat(dest).catch(() => undefined);
  if (!info?.isFile() || info.size !== file.size) return false;
  const hash = contentHash(file);
  await hashExisting(hash, dest);
  return !hash || hash.digest() === hash.expected;
}
