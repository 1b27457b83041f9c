/**
 * Requests to the Hugging Face Hub (or a mirror named by HF_ENDPOINT, as huggingface_hub reads it), with the
 * token from HF_TOKEN, and the Hub's HTTP errors turned into messages that say what to do.
 */
import { badInput } from '../core/errors';
import { throwIfCancelled } from '../core/progress';
import { repoId, type RepoRef } from './repoRef';

/** Where the Hub is and how to authenticate to it. */
export interface HubAccess {
  /** Base URL without a trailing slash, e.g. https://huggingface.co. */
  endpoint: string;
  /** A user access token; gated and private repos need one. */
  token?: string;
}

/** The public Hub. */
export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Reads HF_ENDPOINT and HF_TOKEN from `env` (the process environment by default). */
export function hubAccessFromEnv(env: NodeJS.ProcessEnv = process.env): HubAccess {
  const endpoint = env.HF_ENDPOINT?.trim() || DEFAULT_ENDPOINT;
  const token = env.HF_TOKEN?.trim();
  return { endpoint: endpoint.replace(/\/+$/, ''), token: token || undefined };
}

/** Whether `url` is on the Hub itself (HF_ENDPOINT's origin), the only place the token may go. */
export function onHub(url: string, access: HubAccess): boolean {
  return new URL(url).origin === new URL(access.endpoint).origin;
}

/**
 * GETs `url` and returns the response when its status is one of `accepted`, following redirects (the Hub
 * sends LFS files from a CDN; fetch drops the Authorization header when a redirect leaves the origin).
 * `what` names the request in errors (e.g. a file path).
 */
export async function hubGet(
  url: string,
  ref: RepoRef,
  access: HubAccess,
  what: string,
  init: { signal?: AbortSignal; headers?: Record<string, string>; accepted?: number[] } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  // The token goes to the Hub (HF_ENDPOINT) only, never to a URL of another origin a response pointed to.
  if (access.token && onHub(url, access)) headers.authorization = `Bearer ${access.token}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: init.signal, redirect: 'follow' });
  } catch (error) {
    throwIfCancelled(init.signal);
    throw badInput(`Could not reach ${access.endpoint} for ${what}: ${networkCause(error)}.`, 'Check the network connection, the proxy settings and HF_ENDPOINT.');
  }
  if ((init.accepted ?? [200]).includes(response.status)) return response;
  await response.body?.cancel().catch(() => undefined);
  throw hubError(response.status, response.headers, ref, access, what);
}

/** The message for an HTTP error of the Hub; the Hub's X-Error-Code header tells a missing repo from a missing revision or file. */
export function hubError(status: number, headers: Headers, ref: RepoRef, access: HubAccess, what: string): Error {
  const id = repoId(ref);
  const code = headers.get('x-error-code') ?? '';
  const page = `${access.endpoint}/${id}`;
  const tokenFix = access.token
    ? `Check that the token in HF_TOKEN can read ${id}: for a gated model, accept its terms on ${page} with the same account.`
    : `If the model is gated or private, log in on ${page} (accept its terms if asked), create an access token at ${access.endpoint}/settings/tokens and set the HF_TOKEN environment variable before starting VS Code.`;
  if (code === 'GatedRepo' || status === 403) {
    return badInput(`${id} is gated or restricted: the Hub refused ${what} (HTTP ${status}).`, tokenFix);
  }
  if (code === 'RevisionNotFound') {
    return badInput(`Revision "${ref.revision}" of ${id} was not found (HTTP ${status}).`, `Check the branch, tag or commit on ${page}; leave it out for main.`);
  }
  if (code === 'EntryNotFound') {
    return badInput(`${what} is not in ${id} at revision "${ref.revision}" (HTTP ${status}).`, 'The repo changed while downloading; run the download again.');
  }
  if (status === 401 || status === 404 || code === 'RepoNotFound') {
    // The Hub answers 401 for a repo that does not exist as well as for one the caller may not see.
    return badInput(`Model ${id} was not found on ${access.endpoint}, or it needs a login (HTTP ${status}).`, `Check the id (owner/name). ${tokenFix}`);
  }
  if (status === 429) return badInput(`The Hub is rate-limiting requests (HTTP 429) for ${what}.`, 'Wait a minute and try again; a token in HF_TOKEN raises the limit.');
  return badInput(`The Hub answered HTTP ${status} for ${what} of ${id}.`, status >= 500 ? 'Try again later; finished files are kept.' : 'Check the model id and HF_ENDPOINT.');
}

/** Node's fetch wraps the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
export function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
