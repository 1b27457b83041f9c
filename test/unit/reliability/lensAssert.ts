// Shared assertion of the reliability tests: a failure a user caused is a LensError of the right kind whose
// message says what and where (patterns) and which carries a fix saying what to do.
import assert from 'node:assert/strict';
import { LensError, type LensErrorKind } from '../../../src/core/errors';

/** What the error must say: its kind, patterns its message (what, where) must match, and one for its fix. */
export interface ExpectedError {
  kind: LensErrorKind;
  what: RegExp[];
  fix?: RegExp;
}

/** Awaits `work` (a promise or a function), asserts it fails with the expected LensError, and returns it. */
export async function rejectsLens(work: Promise<unknown> | (() => unknown), expected: ExpectedError): Promise<LensError> {
  let caught: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof LensError, `expected a LensError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.kind, expected.kind, caught.message);
  for (const pattern of expected.what) assert.match(caught.message, pattern);
  assert.ok(caught.fix && caught.fix.length > 10, `"${caught.message}" says what to do`);
  if (expected.fix) assert.match(caught.fix, expected.fix);
  return caught;
}
