// The hover queue with hand-driven jobs: newest first, at most maxRunning at once, overflow cancels the
// oldest waiting, a job shared by several requests is aborted only when all of them went away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { RequestQueue } from '../../../src/hover/requestQueue';

/** Jobs that finish when the test says so, recording the order they started in and whether they saw an abort. */
function controlledJobs() {
  const started: string[] = [];
  const aborted = new Set<string>();
  const finishers = new Map<string, () => void>();
  const job = (name: string) => (signal: AbortSignal) => {
    started.push(name);
    signal.addEventListener('abort', () => aborted.add(name));
    return new Promise<string>((resolve) => finishers.set(name, () => resolve(name)));
  };
  const finish = async (name: string) => {
    finishers.get(name)!();
    await new Promise((r) => setImmediate(r));
  };
  return { started, aborted, job, finish };
}

const tick = () => new Promise((r) => setImmediate(r));
const isCancelled = (error: unknown) => error instanceof LensError && error.kind === 'cancelled';

test('serves waiting requests newest first with at most maxRunning at once', async () => {
  const queue = new RequestQueue<string>({ maxRunning: 2, maxPending: 10 });
  const { started, job, finish } = controlledJobs();
  const results = ['a', 'b', 'c', 'd', 'e'].map((k) => queue.run(k, job(k)));
  await tick();
  assert.deepEqual(started, ['a', 'b']);
  assert.deepEqual([queue.running, queue.waiting], [2, 3]);
  await finish('a');
  assert.deepEqual(started, ['a', 'b', 'e']);
  await finish('b');
  await finish('e');
  assert.deepEqual(started, ['a', 'b', 'e', 'd', 'c']);
  await finish('d');
  await finish('c');
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual([queue.running, queue.waiting], [0, 0]);
});

test('overflow cancels the oldest waiting request, which never starts', async () => {
  const queue = new RequestQueue<string>({ maxRunning: 1, maxPending: 2 });
  const { started, job, finish } = controlledJobs();
  const a = queue.run('a', job('a'));
  const b = queue.run('b', job('b'));
  const c = queue.run('c', job('c'));
  const d = queue.run('d', job('d')); // waiting: b, c, d -> b is pushed out
  await assert.rejects(b, isCancelled);
  await finish('a');
  await finish('d');
  await finish('c');
  assert.deepEqual(started, ['a', 'd', 'c']);
  assert.deepEqual(await Promise.all([a, c, d]), ['a', 'c', 'd']);
});

test('a request whose hover goes away is cancelled: waiting ones never start, running ones see the abort', async () => {
  const queue = new RequestQueue<string>({ maxRunning: 1, maxPending: 5 });
  const { started, aborted, job, finish } = controlledJobs();
  const hoverA = new AbortController();
  const hoverB = new AbortController();
  const a = queue.run('a', job('a'), hoverA.signal);
  const b = queue.run('b', job('b'), hoverB.signal);
  await tick();
  hoverA.abort();
  hoverB.abort();
  await assert.rejects(a, isCancelled);
  await assert.rejects(b, isCancelled);
  assert.deepEqual([...aborted], ['a']);
  await finish('a');
  assert.deepEqual(started, ['a']);
  assert.deepEqual([queue.running, queue.waiting], [0, 0]);
  const late = new AbortController();
  late.abort();
  await assert.rejects(queue.run('c', job('c'), late.signal), isCancelled);
  assert.deepEqual(started, ['a']);
});

test('requests for one key share a job, aborted only when every one of them has gone away', async () => {
  const queue = new RequestQueue<string>({ maxRunning: 1, maxPending: 5 });
  const { started, aborted, job, finish } = controlledJobs();
  const first = new AbortController();
  const second = new AbortController();
  const p1 = queue.run('k', job('k'), first.signal);
  const p2 = queue.run('k', job('k'), second.signal);
  await tick();
  first.abort();
  await assert.rejects(p1, isCancelled);
  assert.equal(aborted.size, 0);
  const p3 = queue.run('k', job('k'));
  await finish('k');
  assert.deepEqual([await p2, await p3, started.length], ['k', 'k', 1]);
});

test('a job that throws rejects its requests with that error and the queue goes on', async () => {
  const queue = new RequestQueue<string>({ maxRunning: 1, maxPending: 5 });
  const failing = queue.run('bad', () => {
    throw new Error('boom');
  });
  const next = queue.run('good', async () => 'ok');
  await assert.rejects(failing, /boom/);
  assert.equal(await next, 'ok');
});
