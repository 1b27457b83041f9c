/**
 * Lists a model repo's files through the Hub API (`/api/models/{id}/tree/{revision}?recursive=true`), with
 * each file's size and, for LFS files, its sha256, so downloads can be checked. Long listings are paged
 * with a `Link: <...>; rel="next"` header.
 */
import { badInput } from '../core/errors';
import { hubGet, onHub, type HubAccess } from './hubHttp';
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
    for (const entry of body) files.push(...toRepoFile(entry, ref, access));
    url = nextPage(response.headers.get('link'), url);
    if (url && !onHub(url, access)) {
      throw badInput(`The file list of ${repoId(ref)} continues on another site (${new URL(url).origin}), not on ${access.endpoint}.`, 'Check HF_ENDPOINT: a Hub or mirror lists its files on its own site.');
    }
  }
  return files;
}

/** A listed file, checked: a size that is not a whole number or a file without a hash cannot be downloaded safely. */
function toRepoFile(entry: unknown, ref: RepoRef, access: HubAccess): RepoFile[] {
  const e = entry as { type?: unknown; path?: unknown; size?: unknown; oid?: unknown; lfs?: { oid?: unknown } };
  if (e?.type !== 'file' || typeof e.path !== 'string') return [];
  const listing = `${access.endpoint}'s file list of ${repoId(ref)}`;
  const fix = 'Check HF_ENDPOINT: it must name a Hugging Face Hub or a mirror of its API, which lists each file with its size and hash.';
  if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) throw badInput(`${listing} gives ${e.path} the size ${JSON.stringify(e.size)}.`, fix);
  const file: RepoFile = { path: e.path, size: e.size };
  if (typeof e.lfs?.oid === 'string' && /^[0-9a-f]{64}$/i.test(e.lfs.oid)) file.sha256 = e.lfs.oid.toLowerCase();
  else if (typeof e.oid === 'string' && /^[0-9a-f]{40}$/i.test(e.oid)) file.gitSha1 = e.oid.toLowerCase();
  else throw badInput(`${listing} gives no hash for ${e.path}, so its download could not be checked.`, fix);
  return [file];
}

/** The `rel="next"` target of an RFC 8288 Link header, resolved against the current URL. */
export function nextPage(link: string | null, current: string): string | undefined {
  const next = link?.split(',').find((part) => /;\s*rel="?next"?/.test(part));
  const target = next && /<([^>]*)>/.exec(next)?.[1];
  return target ? new URL(target, current).toString() : undefined;
}
