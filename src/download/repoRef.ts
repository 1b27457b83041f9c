/**
 * A Hugging Face model repository as the user names it: `owner/name`, optionally `@revision`, or the repo's
 * page URL pasted from a browser. Checked here so a typo is reported before any network request.
 */
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

/** The folder a repo is downloaded into: `owner__name`, one level, so ids never nest or collide. */
export function repoFolderName(ref: RepoRef): string {
  return `${ref.owner}__${ref.name}`;
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
