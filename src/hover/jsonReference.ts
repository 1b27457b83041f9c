/**
 * Image references in JSON and JSON Lines manifests: the innermost object around the cursor that has an image
 * path field (manifestRow.ts). Objects are found by a scan that skips strings, so braces inside captions do not
 * count; each candidate is parsed with JSON.parse, so a row that is not valid JSON is not shown.
 */
import { lineAt, type ImageReference } from './imageReference';
import { manifestRowFields } from './manifestRow';

/** The manifest row around `offset` in a JSON document (an array of rows, or any nesting of objects). */
export function findJsonReference(text: string, offset: number): ImageReference | undefined {
  return rowIn(text, 0, text.length, offset);
}

/** The manifest row on the line of `offset` in a JSON Lines document: one line is one row, and a broken line does not affect the others. */
export function findJsonlReference(text: string, offset: number): ImageReference | undefined {
  const line = lineAt(text, offset);
  return rowIn(text, line.start, line.end, offset);
}

function rowIn(text: string, from: number, to: number, offset: number): ImageReference | undefined {
  for (const [start, end] of enclosingObjects(text, from, to, offset)) {
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, end));
    } catch {
      continue;
    }
    const row = manifestRowFields(Object.entries(value as Record<string, unknown>));
    if (row) return { ...row, start, end };
  }
  return undefined;
}

/** The [start, end) spans of the objects in text[from, to) that contain `offset`, innermost first. */
function enclosingObjects(text: string, from: number, to: number, offset: number): [number, number][] {
  const open: number[] = [];
  const found: [number, number][] = [];
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i, to);
    } else if (c === '{') {
      open.push(i);
    } else if (c === '}') {
      const start = open.pop();
      if (start !== undefined && start <= offset && offset <= i) found.push([start, i + 1]);
      // Past the cursor with no object left open: nothing further can contain it.
      if (i >= offset && open.length === 0) break;
    }
  }
  return found;
}

/** The index of the closing quote of the string opening at `quote` (or `to - 1` when it never closes). */
function stringEnd(text: string, quote: number, to: number): number {
  for (let i = quote + 1; i < to; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return to - 1;
}
