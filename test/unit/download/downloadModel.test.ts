// Downloads from a real HTTP server on 127.0.0.1 (test/unit/download/hubServer.ts) that serves a tiny CLIP
// folder the way the Hub does: listing, redirect to another origin, Range requests. The downloaded model is
// then run and compared with plain onnxruntime on the original files.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { downloadModel, type DownloadOptions } from '../../../src/download/downloadModel';
import type { HubAccess } from '../../../src/download/hubHttp';
import { parseRepoRef } from '../../../src/download/repoRef';
import { LensError } from '../../../src/core/errors';
import type { ProgressReport } from '../../../src/core/progress';
import { InferenceService } from '../../../src/inference/service';
import { cosine } from '../../support/reference';
import { plainImageEmbeds, plainTextEmbeds, uniformPixels, writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { startFakeHub, type FakeHub } from './hubServer';

let clip: TinyClip;
let hub: FakeHub;
let work: string;

before(async () => {
  clip = writeTinyClip();
  hub = await startFakeHub();
  work = mkdtempSync(join(tmpdir(), 'mmlens-download-'));
  hub.repos.set('test/tiny-clip', { dir: clip.dir });
});
after(async () => {
  await hub.close();
  clip.remove();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  hub.knobs = { pageSize: 100, wrongSha256: new Set(), ignoreRange: false };
  hub.requests.length = 0;
});

/** Every file of a folder, '/'-separated, relative to it. */
function filesIn(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  return walk(dir).map((f) => relative(dir, f).split(sep).join('/')).sort();
}

const source = (path: string) => readFileSync(join(clip.dir, path));
const cdnRanges = (path: string) => hub.requests.filter((r) => r.server === 'cdn' && r.path.endsWith(`/${path}`)).map((r) => r.range);
const freshRoot = () => mkdtempSync(join(work, 'models-'));
const isLens = (kind: LensError['kind'], ...parts: string[]) => (e: unknown) =>
  e instanceof LensError && e.kind === kind && parts.every((p) => e.message.includes(p)) || assert.fail(String(e));

function download(root: string, id = 'test/tiny-clip', options: DownloadOptions = {}, access: Partial<HubAccess> = {}) {
  return downloadModel({ repo: parseRepoRef(id), targetRoot: root, access: { endpoint: hub.endpoint, ...access } }, { retryDelayMs: 0, ...options });
}

test('a full download is byte-identical, reports progress up to the total, and runs like the original', async () => {
  hub.knobs.pageSize = 2;
  const root = freshRoot();
  const reports: ProgressReport[] = [];
  const result = await download(root, 'test/tiny-clip', { onProgress: (r) => reports.push(r) });

  const expected = filesIn(clip.dir);
  const total = expected.reduce((s, f) => s + source(f).length, 0);
  assert.equal(result.dir, join(root, 'test__tiny-clip'));
  assert.deepEqual(filesIn(result.dir), expected);
  assert.deepEqual([...result.files].sort(), expected);
  for (const f of expected) assert.ok(readFileSync(join(result.dir, f)).equals(source(f)), f);
  assert.equal(result.bytes, total);
  assert.deepEqual(reports.at(-1), { stage: 'onnx/text_model.onnx', done: total, total });
  assert.ok(reports.every((r) => r.done <= r.total));
  assert.ok(hub.requests.filter((r) => r.path.includes('/tree/')).length >= 3, 'the paged listing was followed');
  assert.equal(hub.requests.filter((r) => r.server === 'cdn').length, expected.length, 'each file came through the redirect');

  const image = join(root, 'red.png');
  await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toFile(image);
  const service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: result.dir });
  try {
    const analysis = await service.analyze({ images: [image], texts: ['a red circle'] });
    const reference = cosine(await plainImageEmbeds(clip, uniformPixels(clip, [200, 30, 30])), await plainTextEmbeds(clip, 'a red circle'));
    assert.ok(Math.abs(analysis.similarity[0][0] - reference) < 1e-4, `${analysis.similarity[0][0]} vs ${reference}`);
  } finally {
    await service.dispose();
  }

  // A file changed on disk no longer matches its git blob id: only it is fetched again.
  const tokenizer = join(result.dir, 'tokenizer.json');
  writeFileSync(tokenizer, source('tokenizer.json').toString('utf8').replace('"', "'"));
  hub.requests.length = 0;
  await download(root);
  assert.deepEqual(hub.requests.filter((r) => r.server === 'cdn').map((r) => r.path), ['/test/tiny-clip/tokenizer.json']);
  assert.ok(readFileSync(tokenizer).equals(source('tokenizer.json')));
});

test('a connection dropped mid-file is resumed with a Range request from the bytes already on disk', async () => {
  hub.knobs.drop = { path: 'onnx/vision_model.onnx', bytes: 40_000, times: 1 };
  const result = await download(freshRoot());
  assert.deepEqual(cdnRanges('onnx/vision_model.onnx'), [undefined, 'bytes=40000-']);
  assert.ok(readFileSync(join(result.dir, 'onnx/vision_model.onnx')).equals(source('onnx/vision_model.onnx')));
});

test('a download that gives up keeps its .part, and the next run resumes it', async () => {
  const root = freshRoot();
  const dir = join(root, 'test__tiny-clip');
  hub.knobs.drop = { path: 'onnx/vision_model.onnx', bytes: 40_000, times: 1 };
  await assert.rejects(download(root, 'test/tiny-clip', { retries: 0 }), isLens('badInput', 'connection broke', 'onnx/vision_model.onnx', '40000 of'));
  assert.equal(existsSync(join(dir, 'onnx/vision_model.onnx')), false);
  assert.ok(readFileSync(join(dir, 'onnx/vision_model.onnx.part')).equals(source('onnx/vision_model.onnx').subarray(0, 40_000)));

  hub.requests.length = 0;
  await download(root);
  assert.deepEqual(cdnRanges('onnx/vision_model.onnx'), ['bytes=40000-']);
  assert.deepEqual(hub.requests.filter((r) => r.server === 'cdn').map((r) => r.path.split('/').slice(3).join('/')), ['onnx/vision_model.onnx', 'onnx/text_model.onnx']);
  assert.deepEqual(filesIn(dir), filesIn(clip.dir));
  assert.ok(readFileSync(join(dir, 'onnx/vision_model.onnx')).equals(source('onnx/vision_model.onnx')));
});

test('cancel leaves no final file but the .part; a server that ignores Range then restarts the file from 0', async () => {
  const root = freshRoot();
  const dir = join(root, 'test__tiny-clip');
  const controller = new AbortController();
  let textStart: number | undefined;
  const onProgress = ({ stage, done }: ProgressReport) => {
    if (stage !== 'onnx/text_model.onnx') return;
    textStart ??= done;
    if (done - textStart >= 20_000) controller.abort();
  };
  await assert.rejects(download(root, 'test/tiny-clip', { signal: controller.signal, onProgress }), isLens('cancelled'));
  const part = join(dir, 'onnx/text_model.onnx.part');
  const kept = statSync(part).size;
  assert.ok(kept >= 20_000 && kept < source('onnx/text_model.onnx').length, `${kept} bytes kept`);
  assert.equal(existsSync(join(dir, 'onnx/text_model.onnx')), false);
  assert.ok(readFileSync(join(dir, 'onnx/vision_model.onnx')).equals(source('onnx/vision_model.onnx')));

  hub.requests.length = 0;
  hub.knobs.ignoreRange = true;
  const reports: ProgressReport[] = [];
  const result = await download(root, 'test/tiny-clip', { onProgress: (r) => reports.push(r) });
  assert.deepEqual(cdnRanges('onnx/text_model.onnx'), [`bytes=${kept}-`]);
  assert.ok(readFileSync(join(dir, 'onnx/text_model.onnx')).equals(source('onnx/text_model.onnx')));
  assert.ok(reports.every((r) => r.done <= r.total), 'a restart never counts bytes twice');
  assert.equal(reports.at(-1)!.done, result.bytes);
});

test('a file whose sha256 differs from the listing is an error and leaves nothing behind', async () => {
  hub.knobs.wrongSha256.add('onnx/text_model.onnx');
  const root = freshRoot();
  await assert.rejects(download(root), isLens('badModel', 'onnx/text_model.onnx', 'sha256', 'ab'.repeat(32), 'deleted'));
  const dir = join(root, 'test__tiny-clip');
  assert.deepEqual(filesIn(join(dir, 'onnx')), ['vision_model.onnx']);
});

test('Hub errors say what to do: unknown repo or revision, private and gated repos, tokens', async () => {
  const root = freshRoot();
  const previous = process.env.HF_ENDPOINT;
  process.env.HF_ENDPOINT = `${hub.endpoint}/`;
  try {
    await assert.rejects(downloadModel({ repo: parseRepoRef('test/missing'), targetRoot: root }),
      isLens('badInput', `Model test/missing was not found on ${hub.endpoint}, or it needs a login (HTTP 401)`, 'HF_TOKEN'));
  } finally {
    if (previous === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = previous;
  }
  await assert.rejects(download(root, 'test/tiny-clip@nope'), isLens('badInput', 'Revision "nope" of test/tiny-clip was not found (HTTP 404)'));

  hub.repos.set('test/private', { dir: clip.dir, token: 'hf_secret' });
  hub.repos.set('test/gated', { dir: clip.dir, token: 'hf_member', gated: true });
  await assert.rejects(download(root, 'test/private'), isLens('badInput', 'test/private was not found', 'set the HF_TOKEN environment variable'));
  await assert.rejects(download(root, 'test/gated'), isLens('badInput', 'test/gated is gated', 'HTTP 401', `log in on ${hub.endpoint}/test/gated`));
  await assert.rejects(download(root, 'test/gated', {}, { token: 'hf_other' }), isLens('badInput', 'test/gated is gated', 'HTTP 403', 'token in HF_TOKEN'));
  assert.deepEqual(readdirSync(root), [], 'nothing is written before the listing succeeds');

  hub.requests.length = 0;
  const result = await download(root, 'test/private', {}, { token: 'hf_secret' });
  assert.deepEqual(filesIn(result.dir), filesIn(clip.dir));
  assert.ok(hub.requests.filter((r) => r.server === 'api').every((r) => r.authorization === 'Bearer hf_secret'));
  assert.ok(hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined), 'the token stays with the Hub origin');
});

test('a repo without ONNX graphs is refused before anything is written, saying what was expected', async () => {
  const plain = mkdtempSync(join(work, 'plain-'));
  cpSync(clip.dir, plain, { recursive: true });
  rmSync(join(plain, 'onnx'), { recursive: true });
  writeFileSync(join(plain, 'model.safetensors'), 'weights');
  hub.repos.set('test/pytorch-only', { dir: plain });
  const root = freshRoot();
  await assert.rejects(download(root, 'test/pytorch-only'), isLens('badModel', 'test/pytorch-only: it has no .onnx files', 'onnx/vision_model.onnx + onnx/text_model.onnx'));
  assert.deepEqual(readdirSync(root), []);
});

test('the token goes to the Hub only: a next page on another origin is refused before it is asked for (issue 19 item 6)', async () => {
  const other = await startFakeHub();
  try {
    hub.repos.set('test/private-clip', { dir: clip.dir, token: 'hf_secret' });
    hub.knobs.pageSize = 2;
    hub.knobs.nextPageOrigin = other.endpoint;
    await assert.rejects(download(freshRoot(), 'test/private-clip', {}, { token: 'hf_secret' }), isLens('badInput', 'continues on another site', new URL(other.endpoint).origin));
    assert.equal(other.requests.length, 0, 'nothing was sent to the other origin');
    // The CDN the Hub redirects to (another origin) never sees the token either.
    hub.knobs = { pageSize: 100, wrongSha256: new Set(), ignoreRange: false };
    hub.requests.length = 0;
    await download(freshRoot(), 'test/private-clip', {}, { token: 'hf_secret' });
    assert.ok(hub.requests.some((r) => r.server === 'api' && r.authorization === 'Bearer hf_secret'));
    assert.ok(hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined));
  } finally {
    hub.repos.delete('test/private-clip');
    await other.close();
  }
});

test('a server that restarts the file and breaks off at the same byte every time is given up on (issue 19 item 6)', async () => {
  hub.knobs.ignoreRange = true;
  hub.knobs.drop = { path: 'onnx/vision_model.onnx', bytes: 40_000, times: 1000 };
  await assert.rejects(download(freshRoot(), 'test/tiny-clip', { retries: 3 }), isLens('badInput', 'connection broke', 'onnx/vision_model.onnx'));
  // One attempt that got 40,000 bytes, then three that got no further.
  assert.equal(cdnRanges('onnx/vision_model.onnx').length, 4);
});

test('a body that stops sending counts as a broken connection after the stall time, and is resumed (issue 19 item 6)', async () => {
  hub.knobs.stall = { path: 'onnx/vision_model.onnx', bytes: 40_000, times: 1 };
  const result = await download(freshRoot(), 'test/tiny-clip', { stallMs: 300 });
  assert.deepEqual(cdnRanges('onnx/vision_model.onnx'), [undefined, 'bytes=40000-']);
  assert.ok(readFileSync(join(result.dir, 'onnx/vision_model.onnx')).equals(source('onnx/vision_model.onnx')));
  // With no retries left, the stall is reported as what it was.
  hub.knobs.stall = { path: 'onnx/vision_model.onnx', bytes: 40_000, times: 1 };
  await assert.rejects(download(freshRoot(), 'test/tiny-clip', { retries: 0, stallMs: 300 }), isLens('badInput', 'connection broke', 'no data for 0.3 s', '40000 of'));
});

test('a listing with a negative size or without hashes is refused, naming the file (issue 19 item 6)', async () => {
  hub.knobs.editEntry = (entry) => (entry.path === 'config.json' ? { ...entry, size: -1 } : entry);
  await assert.rejects(download(freshRoot()), isLens('badInput', 'gives config.json the size -1'));
  hub.knobs.editEntry = (entry) => Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'oid' && key !== 'lfs'));
  await assert.rejects(download(freshRoot()), isLens('badInput', 'gives no hash for', 'could not be checked'));
});

/** A copy of the tiny CLIP whose config.json carries `marker` and, when `quantized`, whose graphs are the `_quantized` variant only. */
function variantOf(marker: string, quantized: boolean): string {
  const dir = mkdtempSync(join(work, `${marker}-`));
  cpSync(clip.dir, dir, { recursive: true });
  const config = JSON.parse(source('config.json').toString('utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, mmlens_test_marker: marker }, null, 2));
  if (quantized) {
    for (const tower of ['vision', 'text']) {
      writeFileSync(join(dir, `onnx/${tower}_model_quantized.onnx`), readFileSync(join(dir, `onnx/${tower}_model.onnx`)));
      rmSync(join(dir, `onnx/${tower}_model.onnx`));
    }
  }
  return dir;
}

/** `dir` holds exactly the files of `expected`, byte for byte. */
function assertSameFiles(dir: string, expected: string): void {
  assert.deepEqual(filesIn(dir), filesIn(expected));
  for (const f of filesIn(expected)) assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(expected, f))), `${dir}: ${f}`);
}

test('another revision goes into its own folder and gets exactly its files; the other revisions stay as they were (issue 19 item 6)', async () => {
  // v2 has only quantized graphs: in v1's folder, v1's fp32 graphs would have been kept, and loaded, beside v2's config.
  const v2 = variantOf('v2', true);
  hub.repos.set('test/revisions', { dir: clip.dir, revisions: { v1: clip.dir, v2 } });
  try {
    const root = freshRoot();
    const main = await download(root, 'test/revisions');
    const v1 = await download(root, 'test/revisions@v1');
    hub.requests.length = 0;
    const second = await download(root, 'test/revisions@v2');
    assertSameFiles(second.dir, v2);
    assert.deepEqual([...second.files].sort(), filesIn(v2));
    assert.equal(hub.requests.filter((r) => r.server === 'cdn').length, filesIn(v2).length, 'every v2 file was fetched, none taken from v1');
    assertSameFiles(main.dir, clip.dir);
    assertSameFiles(v1.dir, clip.dir);
    assert.deepEqual([main.dir, v1.dir, second.dir], ['test__revisions', 'test__revisions@v1', 'test__revisions@v2'].map((name) => join(root, name)));
    assert.deepEqual(readdirSync(root).sort(), ['test__revisions', 'test__revisions@v1', 'test__revisions@v2']);
  } finally {
    hub.repos.delete('test/revisions');
  }
});

test('a__b/c and a/b__c land in different folders, each with its own files (issue 19 item 6)', async () => {
  const other = variantOf('b__c', false);
  hub.repos.set('a__b/c', { dir: clip.dir });
  hub.repos.set('a/b__c', { dir: other });
  try {
    const root = freshRoot();
    const first = await download(root, 'a__b/c');
    const second = await download(root, 'a/b__c');
    assertSameFiles(first.dir, clip.dir);
    assertSameFiles(second.dir, other);
    assert.notEqual(first.dir, second.dir);
    // Downloading the first again finds its own complete files: nothing is fetched.
    hub.requests.length = 0;
    await download(root, 'a__b/c');
    assert.equal(hub.requests.filter((r) => r.server === 'cdn').length, 0);
    assertSameFiles(first.dir, clip.dir);
    assert.equal(readdirSync(root).length, 2);
  } finally {
    hub.repos.delete('a__b/c');
    hub.repos.delete('a/b__c');
  }
});
