/**
 * Shape checks shared by the analysis functions. A mismatch here means the caller passed tensors that do
 * not fit together, which is our fault rather than the user's, so these throw 'internal' errors that name
 * the array and both sizes.
 */
import { LensError } from '../core/errors';

/** Throws unless `value` is a positive integer; `what` names it in the message. */
export function requirePositiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new LensError('internal', `${what} must be a positive integer, got ${value}.`);
}

/** Throws unless `data` holds exactly `expected` numbers. */
export function requireLength(data: ArrayLike<number>, expected: number, what: string): void {
  if (data.length !== expected) throw new LensError('internal', `${what} has ${data.length} values, expected ${expected}.`);
}

/** The number of rows of a row-major matrix of width `dim`; throws when the length is not a multiple. */
export function rowCount(data: ArrayLike<number>, dim: number, what: string): number {
  requirePositiveInt(dim, `${what}: row width`);
  if (data.length % dim !== 0) throw new LensError('internal', `${what} has ${data.length} values, not a whole number of rows of ${dim}.`);
  return data.length / dim;
}
