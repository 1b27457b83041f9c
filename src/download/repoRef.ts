/**
 * A Hugging Face model repository as the user names it: `owner/name`, optionally `@revision`, or the repo's
 * page URL pasted from a browser. Checked here so a typo is reported before any network request.
 */
import { createHash } from 'node:crypto';
import { badInput } from '../core/errors';

/** A model repository and the revision (branch, tag or commit) to download. */
export interface RepoRef {
  owner: string;
  name: string;
  revision: string;
}

/** The revision downloaded when none is named, as huggingface_hub does. */
export const DEFAULT_REVISION = 'main';

const EXAMPLE = 'Xenova/clip-vit-base-patch32';
// The Hub's own rule for owner and repo names: letters, digits, '-', '_', '.', neither first nor last
// '-' or '.', no '--' or '..', 96 characters at most for the whole id.
const NAME_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const PAGE_URL = /^https?:\/\/[^/]+\/([^/]+\/[^/?#]+)(?:\/tree\/([^?#]+))?\/?$/;

/** Parses `input` (`owner/name`, `owner/name@revision` or a repo page URL); `revision` applies when the input names none. */
export function parseRepoRef(input: string, revision?: string): RepoRef {
  const text = input.trim();
  const page = PAGE_URL.exec(text);
  const [id, named] = page ? [page[1], page[2] && decodeURIComponent(page[2])] : splitRevision(text);
  const parts = id.split('/');
  if (parts.length !== 2 || id.length > 96 || !parts.every(isNamePart)) {
    throw badInput(
      `"${text}" is not a Hugging Face model id.`,
      `Give it as owner/name, for example ${EXAMPLE} (add @revision for a branch, tag or commit).`,
    );
  }
  return { owner: parts[0], name: parts[1], revision: checkRevision(named || revision || DEFAULT_REVISION) };
}

/** `owner/name`, as the Hub spells the id. */
export function repoId(ref: RepoRef): string {
  return `${ref.owner}/${ref.name}`;
}

/**
 * The folder a repo is downloaded into, one level deep (Select Model... lists one level): `owner__name` for
 * main, `owner__name@revision` for any other revision. No two (owner, name, revision) share a folder, also where
 * the file system ignores case:
 * - An owner or name that contains `__` or starts or ends with `_` is written with every `_` as `+` (a character
 *   Hub names never have), so the one `__` between them splits the name in one way only: `a__b/c` is `a++b__c`,
 *   `a/b__c` is `a__b++c`. Other ids keep the `owner__name` folders earlier versions made.
 * - The revision is percent-encoded (lowercase hex) except for lowercase letters, digits, `.`, `_` and `-`, so
 *   `refs/pr/5` is `refs%2fpr%2f5` and the tags `V2` and `v2` differ on macOS and Windows too; a trailing `.`,
 *   which Windows drops, is encoded as well. One whose encoding is over 100 characters (a folder name may have
 *   255) is named `%%` and 32 hex digits of its sha256 instead, which no encoding can be.
 * Each revision has its own folder rather than one folder replacing its files: that never deletes or changes
 * another revision's files, so a model in use stays intact, and a download that fails halfway never leaves a
 * folder mixing two revisions that still loads.
 */
export function repoFolderName(ref: RepoRef): string {
  const base = `${folderPart(ref.owner)}__${folderPart(ref.name)}`;
  return ref.revision === DEFAULT_REVISION ? base : `${base}@${folderRevision(ref.revision)}`;
}

function folderPart(part: string): string {
  return part.includes('__') || part.startsWith('_') || part.endsWith('_') ? part.replaceAll('_', '+') : part;
}

function folderRevision(revision: string): string {
  const bytes = Buffer.from(revision, 'utf8');
  let out = '';
  bytes.forEach((byte, i) => {
    const c = String.fromCharCode(byte);
    const last = i === bytes.length - 1;
    out += /[a-z0-9_-]/.test(c) || (c === '.' && !last) ? c : `%${byte.toString(16).padStart(2, '0')}`;
  });
  return out.length <= 100 ? out : `%%${createHash('sha256').update(revision).digest('hex').slice(0, 32)}`;
}

function splitRevision(text: string): [string, string | undefined] {
  const at = text.indexOf('@');
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function isNamePart(part: string): boolean {
  return NAME_PART.test(part) && !part.includes('--') && !part.includes('..');
}

function checkRevision(revision: string): string {
  // Git refuses these in ref names too; a revision is sent inside a URL path, so nothing odd may pass.
  const control = [...revision].some((c) => c.charCodeAt(0) < 32);
  if (revision.trim() === '' || control || /[\s~^:?*[\\]/.test(revision) || revision.includes('..')) {
    throw badInput(`"${revision}" is not a valid revision.`, 'Name a branch, a tag or a commit hash, e.g. main.');
  }
  return revision;
}
