/**
 * What a fuzz target is: something prepared once (seed files on disk) that then runs one mutated case at a
 * time. A case passes when it succeeds or fails with a LensError a user can act on; anything else is a bug.
 */
import type { FuzzRandom } from './random';

/** A prepared target: runs one case per call and says what it did to its input. */
export interface FuzzRunner {
  /** Mutates a seed input with `random`, runs the code under test on it, returns what was mutated. */
  runCase(random: FuzzRandom, note: (description: string) => void): Promise<void>;
  dispose(): Promise<void>;
}

/** A named target. */
export interface FuzzTarget {
  name: string;
  prepare(): Promise<FuzzRunner>;
}

/** One case's result: 'ok', 'badInput'/'badModel' (a LensError for the user), or 'fail' with the error. */
export interface CaseLine {
  index: number;
  outcome: 'ok' | 'badInput' | 'badModel' | 'fail';
  ms: number;
  /** What was done to the seed input. */
  description: string;
  error?: string;
}
