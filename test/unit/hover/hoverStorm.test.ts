// The hover storm of issue 7 item 6 against the real bundled model: 1000 hover requests over 200 generated
// images, 50 in flight at once, a third of them abandoned after a few milliseconds as a moving mouse does.
// Checks: every request settles (a preview or a 'cancelled' error, nothing else), no unhandled rejection, the
// queue and the cache stay within their bounds, some requests are cancelled by the queue or the hover, and
// resident memory after the storm is within 10% of after warm-up (both measured after a full GC).
// Also measures uncached and cached hover latency on the warm model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { InferenceService } from '../../../src/inference/service';
import { DEFAULT_QUEUE_LIMITS, PreviewService, type PreviewRequest } from '../../../src/hover/previewService';
import { renderPreview, type PreviewSettings } from '../../../src/hover/renderPreview';

const IMAGES = 200;
const REQUESTS = 1000;
const IN_FLIGHT = 50;
const CACHE_BYTES = 1024 * 1024;
const COLOURS: [string, number[]][] = [['red', [231, 22, 33]], ['green', [30, 160, 60]], ['blue', [30, 60, 220]], ['yellow', [240, 210, 20]], ['purple', [140, 40, 170]]];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'mmlens-storm-'));
const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: 'models/shapes-clip' });
const settings: PreviewSettings = {
  model: '',
  executionProvider: 'cpu',
  labels: COLOURS.flatMap(([c]) => [`${c} circle`, `${c} square`]),
  promptTemplates: ['a {label}'],
  rollout: { headFusion: 'mean', startLayer: 0, residual: true },
  maxImagePixels: 1e6,
};
const paths: string[] = [];

/** Image i: a square of colour i mod 5 on a light background, at a place and size that vary with i. */
async function writeImage(i: number): Promise<string> {
  const size = 48;
  const data = Buffer.alloc(size * size * 3, 245);
  const side = 10 + (i % 17);
  const left = (i * 7) % (size - side);
  const top = (i * 13) % (size - side);
  const colour = COLOURS[i % COLOURS.length][1];
  for (let y = top; y < top + side; y++) for (let x = left; x < left + side; x++) data.set(colour, (y * size + x) * 3);
  const path = join(dir, `image-${i}.png`);
  await sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
  return path;
}

function request(k: number): PreviewRequest {
  const i = (k * 37 + (k >> 3)) % IMAGES;
  const caption = k % 3 === 0 ? undefined : `a ${COLOURS[i % COLOURS.length][0]} square`;
  return { path: paths[i], caption, settings, maxImageBytes: 1024 * 1024 };
}

function rssAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

const isCancelled = (error: unknown) => error instanceof LensError && error.kind === 'cancelled';
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

before(async () => {
  for (let i = 0; i < IMAGES; i++) paths.push(await writeImage(i));
});
after(async () => {
  await service.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('hover storm: bounded queue and cache, stale requests cancelled, no unhandled rejection, flat memory', { timeout: 120_000 }, async (t) => {
  const previews = new PreviewService((path, caption, s, signal) => renderPreview(service, path, caption, s, signal), CACHE_BYTES);
  // Warm-up: the model, onnxruntime, sharp and the cache's working set.
  for (let k = 0; k < 30; k++) await previews.preview(request(k));
  const warm = rssAfterGc();

  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const counts = { rendered: 0, cached: 0, cancelledByHover: 0, cancelledByQueue: 0 };
  const failures: unknown[] = [];
  let maxRunning = 0;
  let maxWaiting = 0;
  let next = 0;
  const started = performance.now();
  const hover = async (k: number) => {
    const controller = new AbortController();
    // A third of the hovers go away after 0 to 6 ms: the mouse moved on.
    const leave = k % 3 === 1 ? setTimeout(() => controller.abort(), k % 7) : undefined;
    try {
      const outcome = await previews.preview(request(k), controller.signal);
      assert.equal(outcome.kind, 'preview');
      if (outcome.kind === 'preview') counts[outcome.cached ? 'cached' : 'rendered']++;
    } catch (error) {
      if (!isCancelled(error)) failures.push(error);
      else if (controller.signal.aborted) counts.cancelledByHover++;
      else counts.cancelledByQueue++;
    } finally {
      clearTimeout(leave);
      maxRunning = Math.max(maxRunning, previews.stats.running);
      maxWaiting = Math.max(maxWaiting, previews.stats.waiting);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < REQUESTS) await hover(next++);
  }));
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  const afterStorm = rssAfterGc();

  t.diagnostic(`${REQUESTS} hovers in ${seconds.toFixed(1)} s: ${JSON.stringify(counts)}; max running ${maxRunning}, max waiting ${maxWaiting}`);
  t.diagnostic(`rss after warm-up ${mb(warm)} MB, after the storm ${mb(afterStorm)} MB; cache ${mb(previews.stats.cacheBytes)} MB in ${previews.stats.cacheEntries} previews`);
  assert.deepEqual(failures, []);
  assert.deepEqual(unhandled, []);
  assert.equal(counts.rendered + counts.cached + counts.cancelledByHover + counts.cancelledByQueue, REQUESTS);
  assert.ok(counts.cancelledByQueue > 0 && counts.cancelledByHover > 0 && counts.cached > 0 && counts.rendered > 0);
  assert.ok(maxRunning <= DEFAULT_QUEUE_LIMITS.maxRunning && maxWaiting <= DEFAULT_QUEUE_LIMITS.maxPending);
  assert.deepEqual([previews.stats.running, previews.stats.waiting], [0, 0]);
  assert.ok(previews.stats.cacheBytes <= CACHE_BYTES);
  assert.ok(afterStorm <= warm * 1.1, `rss grew from ${mb(warm)} MB to ${mb(afterStorm)} MB`);
});

test('latency on the warm demo model: uncached and cached hovers', async (t) => {
  const previews = new PreviewService((path, caption, s, signal) => renderPreview(service, path, caption, s, signal), CACHE_BYTES);
  await previews.preview(request(0));
  const time = async (k: number) => {
    const start = performance.now();
    await previews.preview({ ...request(k), caption: `a red circle ${k}` });
    return performance.now() - start;
  };
  const uncached: number[] = [];
  const cached: number[] = [];
  for (let k = 1; k <= 10; k++) uncached.push(await time(k));
  for (let k = 1; k <= 10; k++) cached.push(await time(k));
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  t.diagnostic(`hover latency, median of 10: uncached ${median(uncached).toFixed(1)} ms, cached ${median(cached).toFixed(2)} ms`);
  assert.ok(median(cached) < median(uncached));
});
