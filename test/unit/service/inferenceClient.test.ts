// Issue 19, the crash-proof boundary: the extension host's inference runs in a forked process
// (src/inference/remote/). Its results must equal the in-process service's, its errors keep their kind, message
// and fix, cancellation reaches it, and a native crash there (SIGSEGV sent to it mid-call) fails only the calls in
// flight, with a message saying so, while the next call starts a new process that answers as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { bundledModelDir } from '../../../src/inference/model/bundledModels';
import { InferenceClient } from '../../../src/inference/remote/inferenceClient';
import { InferenceService } from '../../../src/inference/service';
import { packAttention, packTextTower } from '../../../src/inference/tasks/packAttention';
import { layersOf } from '../../support/layerAttention';

const root = join(__dirname, '..', '..', '..');
const script = join(root, 'dist', 'inferenceProcess.js');
const scene = join(root, 'media', 'samples', 'scene-1.png');
const options = { executionProvider: 'cpu' as const, defaultModelDir: bundledModelDir(root) };
const texts = ['a red circle', 'a blue square', 'a green triangle'];
let local: InferenceService;
let exits: string[];
let client: InferenceClient;

before(() => {
  local = new InferenceService(options);
  exits = [];
  client = new InferenceClient(options, script, (why) => exits.push(why));
});
after(async () => {
  await client.dispose();
  await local.dispose();
});

/** A label set whose zero-shot takes seconds: long enough to be interrupted. */
function manyLabels(): string[] {
  return Array.from({ length: 1_000 }, (_, i) => `${i} ${'red blue circle square '.repeat(8)}`.slice(0, 200));
}

test('an analysis through the inference process equals the same analysis in this process, typed arrays included', async () => {
  const request = { images: [scene], texts, includeAttention: true };
  const [remote, here] = await Promise.all([client.analyze(request), local.analyze(request)]);
  assert.equal(remote.maps.rollout.length, 1);
  assert.ok(remote.attention?.vision && remote.attention.vision.length > 0, 'every layer of the vision tower');
  // Everything but the stage timings, which are the two runs' own.
  assert.deepEqual({ ...remote, timings: {} }, { ...here, timings: {} });
  assert.ok(client.pid !== undefined && client.pid !== process.pid);
});

test('an analysis for a page comes back with its attention packed, not nested, equal to packing the nested attention here', async () => {
  const request = { images: [scene], texts };
  const [remote, here] = await Promise.all([client.analyzeForPage(request, 'thumbnails'), local.analyze({ ...request, includeAttention: true })]);
  assert.equal(remote.result.attention, undefined);
  assert.equal('pageAttention' in remote.result, false);
  const vision = here.attention?.vision;
  assert.ok(vision);
  const packed = packAttention('vision', layersOf(vision), 1, vision[0][0][0].length - here.grid.rows * here.grid.cols, { level: 'thumbnails' });
  // Beside it the text tower, every query's row cut to the longest text's real tokens (for the text head view).
  const textTower = here.attention?.text;
  assert.ok(textTower);
  const longest = Math.max(...here.texts.map((t) => t.tokens.length));
  const text = packTextTower(layersOf(textTower), texts.length, longest);
  assert.equal(remote.attention?.level, 'thumbnails');
  assert.deepEqual(remote.attention, { ...packed, text });
  // The other rows stay in the process for the panel: query q's rows of every layer and head, as nested here.
  const id = remote.heldAttention;
  assert.ok(id);
  const query = vision[0][0][0].length - 1;
  const rows = await client.attentionRows(id, 0, query);
  assert.deepEqual(Array.from(rows), vision.flatMap((layer) => layer[0].flatMap((head) => head[query])).map((v) => Math.fround(v)));
  await assert.rejects(client.attentionRows(id, 0, query + 1), (error: unknown) => error instanceof LensError && error.kind === 'badInput' && /no item 0 or query token/.test(error.message));
  await client.releaseAttention(id);
  await assert.rejects(client.attentionRows(id, 0, 0), (error: unknown) => error instanceof LensError && /no longer kept/.test(error.message));
});

test('the extension\'s default zero-shot templates are the CLI\'s for every bundled scoring model (issue 18 item 15)', async () => {
  for (const name of ['shapes-clip', 'shapes-fusion']) {
    const modelDir = join(root, 'models', name);
    // The extension builds its default texts from describeModel's templates (providers/promptTemplates.ts);
    // `mmlens zeroshot` without --template ranks with the templates its result names.
    const [described, cli] = await Promise.all([client.describeModel(modelDir), local.zeroShot({ modelDir, images: [scene], labels: ['red circle', 'blue square'] })]);
    assert.deepEqual(described.promptTemplates, cli.templates, name);
    assert.deepEqual(described.promptTemplates, ['a {label}'], `${name}: the template its config.json names`);
  }
});

test('a user error crosses the boundary as the same LensError: kind, message and fix', async () => {
  const request = { images: [join(root, 'no-such-image.png')], texts };
  const expected = await local.analyze(request).then(() => assert.fail('resolved'), (error: unknown) => error as LensError);
  const actual = await client.analyze(request).then(() => assert.fail('resolved'), (error: unknown) => error as LensError);
  assert.ok(actual instanceof LensError);
  assert.deepEqual([actual.kind, actual.message, actual.fix], [expected.kind, expected.message, expected.fix]);
  assert.equal(actual.kind, 'badInput');
});

test('progress reaches the caller, as the service reports it', async () => {
  const labels = manyLabels().slice(0, 300);
  const reports = { remote: [] as unknown[], here: [] as unknown[] };
  await client.zeroShot({ images: [scene], labels }, { onProgress: (report) => reports.remote.push(report) });
  await local.zeroShot({ images: [scene], labels }, { onProgress: (report) => reports.here.push(report) });
  assert.ok(reports.here.length > 1, `${reports.here.length} reports`);
  assert.deepEqual(reports.remote, reports.here);
});

test('a cancel reaches the process, which then answers the next call', async () => {
  const controller = new AbortController();
  const work = client.zeroShot({ images: [scene], labels: manyLabels(), templates: ['a {label}', 'a photo of {label}'] }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(work, (error: unknown) => error instanceof LensError && error.kind === 'cancelled');
  // The same process then answers the next call.
  const pid = client.pid;
  const ok = await client.zeroShot({ images: [scene], labels: ['red circle', 'blue square'] });
  assert.equal(ok.images[0].top.length, 2);
  assert.equal(client.pid, pid);
  assert.deepEqual(exits, []);
});

test('a native crash in the inference process fails the call in flight with a clear error, and the next call starts a new process', async () => {
  const before = await client.analyze({ images: [scene], texts });
  const crashed = client.pid!;
  const work = client.zeroShot({ images: [scene], labels: manyLabels() });
  setTimeout(() => process.kill(crashed, 'SIGSEGV'), 200);
  const error = await work.then(() => assert.fail('resolved'), (e: unknown) => e as LensError);
  assert.ok(error instanceof LensError, String(error));
  assert.equal(error.kind, 'internal');
  assert.match(error.message, /The inference process was killed by SIGSEGV while running zeroShot/);
  assert.match(error.fix ?? '', /Try again/);
  assert.deepEqual(exits, ['The inference process was killed by SIGSEGV.']);
  // This process (standing in for the extension host) lives on, and the next call is served by a new process.
  const after = await client.analyze({ images: [scene], texts });
  assert.notEqual(client.pid, crashed);
  assert.deepEqual(after.similarity, before.similarity);
});

test('generation through the inference process streams each token as it is chosen and ends with the same result', async () => {
  const llava = join(root, 'test', 'fixtures', 'tiny-llava');
  const request = { modelDir: llava, images: [join(llava, 'edges_51x37.png')], prompt: 'Describe the image.', maxNewTokens: 4 };
  const streamed: [number, number][] = [];
  const remote = await client.generate(request, { onToken: (token, index) => streamed.push([index, token.id]) });
  const here = await local.generate(request);
  assert.deepEqual(streamed, here.generated.map((t, k) => [k, t.id]));
  assert.deepEqual({ ...remote, timings: undefined }, { ...here, timings: undefined });
});
