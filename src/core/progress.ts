/**
 * Progress and cancellation for long work. Every long call takes an optional AbortSignal and progress
 * callback, so the CLI, the extension's progress notifications and the tests drive it the same way.
 */
import { LensError } from './errors';

/** One progress report: a named stage and how far through it the work is. */
export interface ProgressReport {
  stage: string;
  done: number;
  total: number;
}

/** Receives progress reports; must return quickly. */
export type ProgressCallback = (report: ProgressReport) => void;

/** The options every long-running call accepts. */
export interface LongRunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** Throws a 'cancelled' LensError when the signal has fired; call between units of work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LensError('cancelled', 'The operation was cancelled.');
}
