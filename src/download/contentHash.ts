/**
 * What a downloaded file must hash to: LFS files by their sha256 (the LFS object id), files kept in git by
 * their git blob id (sha1 of a `blob <size>\0` header and the content), so every file is checked, not only
 * the large ones.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { RepoFile } from './repoFiles';

/** An incremental hash of a file's content and the digest the Hub lists for it. */
export interface ContentHash {
  /** 'sha256' or 'git blob sha1', for messages. */
  algorithm: string;
  expected: string;
  update(chunk: Uint8Array): void;
  digest(): string;
}

/** A fresh hash for `file`, or undefined when the Hub lists no digest for it. */
export function contentHash(file: RepoFile): ContentHash | undefined {
  if (file.sha256) return wrap('sha256', file.sha256, createHash('sha256'));
  if (file.gitSha1) return wrap('git blob sha1', file.gitSha1, createHash('sha1').update(`blob ${file.size}\0`));
  return undefined;
}

/** Feeds the bytes already on disk at `path` (a partial download being resumed) into `hash`. */
export async function hashExisting(hash: ContentHash | undefined, path: string): Promise<void> {
  if (!hash) return;
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

function wrap(algorithm: string, expected: string, hash: Hash): ContentHash {
  return { algorithm, expected, update: (chunk) => void hash.update(chunk), digest: () => hash.digest('hex') };
}
