/**
 * Errors that reach a user. Each says what was wrong, where, and what to do about it, so the CLI can print
 * it as is and the extension can show it in a notification. The kind decides the CLI's exit status.
 */

/** Why an operation failed: the user's input, the model folder, a cancellation, or our own fault. */
export type LensErrorKind = 'badInput' | 'badModel' | 'cancelled' | 'internal';

/** An error with a message fit for a user and a concrete fix. */
export class LensError extends Error {
  /** @param kind what went wrong, decides exit status and presentation
   *  @param message what was wrong and where (a file, a field, a value)
   *  @param fix what the user can do about it */
  constructor(
    readonly kind: LensErrorKind,
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message} ${fix}` : message);
    this.name = 'LensError';
  }
}

/** An input the user gave (an image, a text, a flag) is unusable. */
export function badInput(message: string, fix?: string): LensError {
  return new LensError('badInput', message, fix);
}

/** A model folder or one of its files is missing or malformed; the message names the file. */
export function badModel(file: string, problem: string, fix?: string): LensError {
  return new LensError('badModel', `${file}: ${problem}.`, fix);
}

/** True for errors that are the user's to fix (bad input or a bad model), false for our own faults. */
export function isUserError(error: unknown): error is LensError {
  return error instanceof LensError && (error.kind === 'badInput' || error.kind === 'badModel');
}
