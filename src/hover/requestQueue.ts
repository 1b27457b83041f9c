/**
 * The queue behind hover previews. Hovers come faster than previews render, and the one the user looks at now
 * is the newest, so pending requests are served newest first, at most `maxRunning` at once. The pending list
 * is bounded: on overflow the oldest is cancelled. Requests for the same key share one job, which is cancelled
 * (its AbortSignal fires) only when every request waiting on it has gone away.
 */
import { LensError } from '../core/errors';

/** Queue limits. */
export interface QueueLimits {
  /** Jobs running at once. */
  maxRunning: number;
  /** Jobs waiting to start; more cancel the oldest. */
  maxPending: number;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  detach(): void;
}

interface Job<T> {
  key: string;
  work: (signal: AbortSignal) => Promise<T>;
  controller: AbortController;
  waiters: Set<Waiter<T>>;
  running: boolean;
}

/** The error a cancelled request rejects with. */
export function cancelledPreview(why: string): LensError {
  return new LensError('cancelled', `The hover preview was cancelled: ${why}.`);
}

/** Runs keyed async jobs newest first under the limits; see the file comment. */
export class RequestQueue<T> {
  private readonly jobs = new Map<string, Job<T>>();
  private readonly pending: Job<T>[] = [];
  private active = 0;

  /** @param limits how many jobs run and wait at most */
  constructor(private readonly limits: QueueLimits) {}

  /** Runs `work` for `key` (or joins the job already queued for it); rejects with a 'cancelled' LensError when `signal` fires first or the job is pushed out. */
  run(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(cancelledPreview('the hover went away'));
    let job = this.jobs.get(key);
    if (job && !job.running) this.pending.splice(this.pending.indexOf(job), 1);
    if (!job) {
      job = { key, work, controller: new AbortController(), waiters: new Set(), running: false };
      this.jobs.set(key, job);
    }
    if (!job.running) this.pending.push(job);
    const promise = this.wait(job, signal);
    while (this.pending.length > this.limits.maxPending) this.cancel(this.pending[0], 'too many hovers were waiting');
    this.pump();
    return promise;
  }

  /** Jobs now running. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting to start. */
  get waiting(): number {
    return this.pending.length;
  }

  private wait(job: Job<T>, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        waiter.detach();
        job.waiters.delete(waiter);
        reject(cancelledPreview('the hover went away'));
        if (job.waiters.size === 0) this.cancel(job, 'the hover went away');
      };
      const waiter: Waiter<T> = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      job.waiters.add(waiter);
    });
  }

  /** Rejects every request on `job`, takes it out of the queue and aborts its work. */
  private cancel(job: Job<T>, why: string): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
    const index = this.pending.indexOf(job);
    if (index >= 0) this.pending.splice(index, 1);
    this.settle(job, (w) => w.reject(cancelledPreview(why)));
    job.controller.abort();
  }

  private pump(): void {
    while (this.active < this.limits.maxRunning && this.pending.length > 0) {
      const job = this.pending.pop()!;
      job.running = true;
      this.active++;
      // The work starts on a later tick, so a throw inside it becomes a rejection like any other.
      void Promise.resolve()
        .then(() => job.work(job.controller.signal))
        .then(
          (value) => this.settle(job, (w) => w.resolve(value)),
          (error: unknown) => this.settle(job, (w) => w.reject(error)),
        )
        .finally(() => {
          this.active--;
          if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
          this.pump();
        });
    }
  }

  private settle(job: Job<T>, each: (waiter: Waiter<T>) => void): void {
    for (const waiter of job.waiters) {
      waiter.detach();
      each(waiter);
    }
    job.waiters.clear();
  }
}
