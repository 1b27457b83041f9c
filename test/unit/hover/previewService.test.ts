// The preview service around a stand-in renderer: the size limit, the content-hash cache (same bytes under
// another name are served from it; new bytes, a new caption or new settings are rendered again), and
// cancellation reaching the renderer.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { PreviewService, previewBytes, type PreviewRenderer } from '../../../src/hover/previewService';
import type { HoverPreview, PreviewSettings } from '../../../src/hover/renderPreview';

const dir = mkdtempSync(join(tmpdir(), 'mmlens-previews-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const settings: PreviewSettings = { model: '', executionProvider: 'cpu', labels: ['a', 'b'], promptTemplates: ['a {label}'], rollout: { headFusion: 'mean', startLayer: 0, residual: true }, maxImagePixels: 1e6 };

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A renderer that records its calls and renders the file's path into the preview's model name. */
function recorder() {
  const calls: string[] = [];
  const render: PreviewRenderer = async (path, caption, s) => {
    calls.push(`${path}|${caption}|${s.labels.join()}`);
    return { labels: [], model: path, executionProvider: 'cpu', notices: [] };
  };
  return { calls, render };
}

test('a file over the size limit is skipped with its size and the setting named, and never rendered', async () => {
  const { calls, render } = recorder();
  const service = new PreviewService(render, 1e6);
  const path = file('big.png', 'x'.repeat(3 * 1024 * 1024));
  const outcome = await service.preview({ path, settings, maxImageBytes: 2 * 1024 * 1024 });
  assert.equal(outcome.kind, 'skipped');
  assert.match(outcome.kind === 'skipped' ? outcome.reason : '', /3\.0 MB.*2\.0 MB.*multimodalLens\.hover\.maxImageMegabytes/);
  assert.equal(calls.length, 0);
});

test('cache keyed by content hash, caption and settings', async () => {
  const { calls, render } = recorder();
  const service = new PreviewService(render, 1e6);
  const a = file('a.png', 'same bytes');
  const copy = file('copy.png', 'same bytes');
  const request = { path: a, caption: 'c', settings, maxImageBytes: 100 };
  assert.deepEqual((await service.preview(request)).kind, 'preview');
  const again = await service.preview({ ...request, path: copy });
  assert.ok(again.kind === 'preview' && again.cached && again.preview.model === a, 'the copy is served the cached preview');
  assert.equal(calls.length, 1);
  await service.preview({ ...request, caption: 'other' });
  await service.preview({ ...request, settings: { ...settings, labels: ['z'] } });
  await service.preview({ ...request, settings: { ...settings, model: '/models/other' } });
  assert.equal(calls.length, 4);
  // New bytes of the same size, with the modification time moved on as an editor would.
  writeFileSync(a, 'SAME BYTES');
  utimesSync(a, new Date(), new Date(Date.now() + 5000));
  const edited = await service.preview(request);
  assert.ok(edited.kind === 'preview' && !edited.cached);
  assert.equal(calls.length, 5);
});

test('the cache holds previews up to its byte budget', async () => {
  const big = 'data:image/png;base64,' + 'A'.repeat(10_000);
  const preview: HoverPreview = { rolloutUrl: big, labels: [], model: 'm', executionProvider: 'cpu', notices: [] };
  const bytes = previewBytes(preview);
  assert.ok(bytes >= 2 * big.length);
  const service = new PreviewService(async () => preview, 3 * bytes);
  for (let i = 0; i < 6; i++) await service.preview({ path: file(`f${i}.png`, `content ${i}`), settings, maxImageBytes: 100 });
  assert.deepEqual([service.stats.cacheEntries, service.stats.cacheBytes], [3, 3 * bytes]);
  const oldest = await service.preview({ path: join(dir, 'f0.png'), settings, maxImageBytes: 100 });
  const newest = await service.preview({ path: join(dir, 'f5.png'), settings, maxImageBytes: 100 });
  assert.ok(oldest.kind === 'preview' && !oldest.cached);
  assert.ok(newest.kind === 'preview' && newest.cached);
});

test('cancelling the hover rejects with a cancelled error and aborts the renderer', async () => {
  let sawAbort = false;
  const service = new PreviewService((_p, _c, _s, signal) => new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => {
      sawAbort = true;
      reject(new LensError('cancelled', 'stopped'));
    });
  }), 1e6);
  const hover = new AbortController();
  const pending = service.preview({ path: file('slow.png', 'slow'), settings, maxImageBytes: 100 }, hover.signal);
  setTimeout(() => hover.abort(), 20);
  await assert.rejects(pending, (e: unknown) => e instanceof LensError && e.kind === 'cancelled');
  assert.ok(sawAbort);
});
