/** Wall-clock timings per named stage, reported in the result's `timings`. */
export class Stopwatch {
  /** Milliseconds per stage; a stage timed twice adds up. */
  readonly timings: Record<string, number> = {};

  /** Runs `work` and adds its duration to `stage`. */
  async time<T>(stage: string, work: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.timings[stage] = Math.round(((this.timings[stage] ?? 0) + performance.now() - start) * 10) / 10;
    }
  }
}
