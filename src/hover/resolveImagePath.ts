/**
 * Turns a reference's path into an image file: a file: URI or an absolute path as is, a relative path against
 * the document's folder and then each workspace folder. A path starting with / that does not exist is also
 * tried against the workspace folders, as Markdown previews treat it as workspace-rooted.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join, resolve } from 'node:path';

/** Where relative references are looked up, in order. */
export interface ResolveContext {
  /** The folder of the document; absent for an unsaved document. */
  documentDir?: string;
  workspaceDirs: readonly string[];
  /** True when `path` is a regular file; defaults to a stat. */
  isFile?: (path: string) => Promise<boolean>;
}

/** The first existing file `path` names, or undefined when none exists. */
export async function resolveImagePath(path: string, context: ResolveContext): Promise<string | undefined> {
  const isFile = context.isFile ?? statIsFile;
  for (const candidate of candidates(path, context)) {
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}

function candidates(path: string, { documentDir, workspaceDirs }: ResolveContext): string[] {
  if (/^file:/i.test(path)) {
    try {
      return [fileURLToPath(path)];
    } catch {
      return [];
    }
  }
  const bases = [...(documentDir ? [documentDir] : []), ...workspaceDirs];
  if (isAbsolute(path)) return [resolve(path), ...(/^[\\/]/.test(path) ? workspaceDirs.map((dir) => join(dir, path)) : [])];
  return bases.map((dir) => resolve(dir, path));
}

async function statIsFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
