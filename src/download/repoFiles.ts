/**
 * Lists a model repo's files through the Hub API (`/api/models/{id}/tree/{revision}?recursive=true`), with
 * each file's size and, for LFS files, its sha256, so downloads can be checked. Long listings are paged
 * with a `Link: <...>; rel="next"` header.
 */
import { badInput } from '../core/errors';
import { hubGet, type HubAccess } from './hubHttp';
import { repoId, type RepoRef } from './repoRef';

/** One file of a repo: its path (always '/'-separated), size in bytes and what its content must hash to. */
export interface RepoFile {
  path: string;
  size: number;
  /** The LFS object id: the sha256 of the content (large files: graphs, weights). */
  sha256?: string;
  /** The git blob id: sha1 of `blob <size>\0` + content (small files kept in git itself). */
  gitSha1?: string;
}

const MAX_PAGES = 100;

/** Lists every file of the repo at its revision. */
export async function listRepoFiles(ref: RepoRef, access: HubAccess, signal?: AbortSignal): Promise<RepoFile[]> {
  const files: RepoFile[] = [];
  let url: string | undefined = `${access.endpoint}/api/models/${repoId(ref)}/tree/${encodeURIComponent(ref.revision)}?recursive=true`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const response = await hubGet(url, ref, access, 'the file list', { signal });
    const body: unknown = await response.json().catch(() => undefined);
    if (!Array.isArray(body)) {
      throw badInput(`${access.endpoint} did not answer the file list of ${repoId(ref)} with a JSON array.`, 'Check HF_ENDPOINT: it must name a Hugging Face Hub or a mirror of its API.');
    }
    files.push(...body.flatMap(toRepoFile));
    url = nextPage(response.headers.get('link'), url);
  }
  return files;
}

function toRepoFile(entry: unknown): RepoFile[] {
  const e = entry as { type?: unknown; path?: unknown; size?: unknown; oid?: unknown; lfs?: { oid?: unknown } };
  if (e?.type !== 'file' || typeof e.path !== 'string' || typeof e.size !== 'number') return [];
  const file: RepoFile = { path: e.path, size: e.size };
  if (typeof e.lfs?.oid === 'string') file.sha256 = e.lfs.oid.toLowerCase();
  else if (typeof e.oid === 'string') file.gitSha1 = e.oid.toLowerCase();
  return [file];
}

/** The `rel="next"` target of an RFC 8288 Link header, resolved against the current URL. */
export function nextPage(link: string | null, current: string): string | undefined {
  const next = link?.split(',').find((part) => /;\s*rel="?next"?/.test(part));
  const target = next && /<([^>]*)>/.exec(next)?.[1];
  return target ? new URL(target, current).toString() : undefined;
}
