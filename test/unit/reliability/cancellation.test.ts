// Issue 7 item 7: a dataset probe cancelled mid-run stops within 200 ms, and `mmlens probe` then leaves no
// output file, whole or partial (reports are written only at the end, through a temporary file and a rename).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { runProbeCommand } from '../../../src/cli/probeCommand';
import { bundledModelDir } from '../../../src/inference/model/bundledModels';
import { LensError } from '../../../src/core/errors';
import type { LongRunOptions } from '../../../src/core/progress';
import type { ProbeRequest } from '../../../src/inference/tasks/probe';
import { InferenceService } from '../../../src/inference/service';
import { mulberry32 } from '../../../src/analysis/random';

const root = join(__dirname, '..', '..', '..');
const IMAGES = 160;
let work: string;
let manifest: string;
let service: InferenceService;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'mmlens-cancel-'));
  mkdirSync(join(work, 'out'));
  const random = mulberry32(7);
  const rows = [];
  for (let i = 0; i < IMAGES; i++) {
    const colour = { r: Math.floor(random() * 256), g: Math.floor(random() * 256), b: Math.floor(random() * 256) };
    await sharp({ create: { width: 48, height: 48, channels: 3, background: colour } }).png().toFile(join(work, `img${i}.png`));
    rows.push(JSON.stringify({ image: `img${i}.png`, caption: `a ${['red', 'blue', 'green'][i % 3]} circle` }));
  }
  manifest = join(work, 'pairs.jsonl');
  writeFileSync(manifest, rows.join('\n'));
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: bundledModelDir(root) });
  await service.model();
});
after(async () => {
  await service.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** The real service, cancelled by `controller` once the images stage has made progress; records when. */
function cancelledMidRun(controller: AbortController, cancelledAt: { ms?: number }): InferenceService {
  return new Proxy(service, {
    get(target, key) {
      if (key !== 'probe') return Reflect.get(target, key, target);
      return (request: ProbeRequest, options: LongRunOptions = {}) => target.probe(request, {
        ...options,
        onProgress: (p) => {
          options.onProgress?.(p);
          if (p.stage === 'images' && p.done > 0 && !controller.signal.aborted) {
            cancelledAt.ms = performance.now();
            controller.abort();
          }
        },
      });
    },
  });
}

test('a probe cancelled while embedding images stops within 200 ms', async (t) => {
  const controller = new AbortController();
  const cancelledAt: { ms?: number } = {};
  const request = { manifest: { path: manifest, limit: IMAGES } };
  await assert.rejects(cancelledMidRun(controller, cancelledAt).probe(request, { signal: controller.signal }), (e: unknown) => e instanceof LensError && e.kind === 'cancelled');
  assert.ok(cancelledAt.ms !== undefined, 'the probe reported no image progress before finishing');
  const stoppedAfter = performance.now() - cancelledAt.ms;
  t.diagnostic(`stopped ${stoppedAfter.toFixed(1)} ms after the cancel`);
  assert.ok(stoppedAfter < 200, `stopped ${stoppedAfter.toFixed(0)} ms after the cancel`);
});

test('mmlens probe cancelled mid-run writes neither its JSON nor its HTML, not even a temporary file', async () => {
  const controller = new AbortController();
  const out = join(work, 'out');
  const request = { manifest: { path: manifest, limit: IMAGES }, seed: 0 };
  await assert.rejects(
    runProbeCommand(cancelledMidRun(controller, {}), request, { json: join(out, 'probe.json'), html: join(out, 'probe.html') }, root, controller.signal),
    (e: unknown) => e instanceof LensError && e.kind === 'cancelled',
  );
  assert.deepEqual(readdirSync(out), []);
});
