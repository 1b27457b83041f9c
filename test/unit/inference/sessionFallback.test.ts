// Provider fallback (issue 7, item 5): a provider that cannot start, a GPU session that fails while running, and a
// cpu session that throws, each checked against plain onnxruntime's outputs for the same tiny CLIP tower.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { SessionCache, type SessionFactory } from '../../../src/inference/runtime/sessions';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';
import { visionCase, writeTinyClip, type TinyClip } from '../../support/tinyClip';

let clip: TinyClip;
let expected: Float32Array;
let feeds: Record<string, ort.Tensor>;

before(async () => {
  clip = writeTinyClip();
  ({ feeds, expected } = await visionCase(clip));
});
after(() => clip.remove());

const visionFile = () => `${clip.dir}/onnx/vision_model.onnx`;

/** Creates real cpu sessions, whatever provider is asked for, and records the providers asked for. */
function recordingFactory(onSession: (session: ort.InferenceSession, provider: string) => void = () => {}): { factory: SessionFactory; providers: string[] } {
  const providers: string[] = [];
  const factory: SessionFactory = async (source, options) => {
    const provider = String(options.executionProviders?.[0]);
    providers.push(provider);
    const cpuOptions = { ...options, executionProviders: ['cpu'] };
    const session = typeof source === 'string' ? await ort.InferenceSession.create(source, cpuOptions) : await ort.InferenceSession.create(source, cpuOptions);
    onSession(session, provider);
    return session;
  };
  return { factory, providers };
}

function failRuns(session: ort.InferenceSession, message: string, times = Infinity): void {
  const real = session.run.bind(session);
  let left = times;
  (session as { run: unknown }).run = (...args: Parameters<typeof real>) => (left-- > 0 ? Promise.reject(new Error(message)) : real(...args));
}

async function embeds(graph: TappedGraph, cache: SessionCache, key: string): Promise<{ embeds: Float32Array; provider: string }> {
  const open = await graph.open(cache, key);
  const { outputs } = await graph.run(open, feeds, 1);
  return { embeds: outputs.image_embeds.data as Float32Array, provider: open.provider };
}

test('cuda, which cannot start on this machine, falls back to cpu once, with one notice, and computes the same embeddings', async () => {
  const cache = new SessionCache('cuda');
  const graph = await TappedGraph.load(visionFile());
  const first = await embeds(graph, cache, 'a');
  assert.equal(first.provider, 'cpu');
  assert.deepEqual([...first.embeds], [...expected]);
  // A second graph does not try cuda again, so the notice stays single.
  const second = await embeds(await TappedGraph.load(visionFile()), cache, 'b');
  assert.equal(second.provider, 'cpu');
  assert.equal(cache.notices.length, 1);
  assert.match(cache.notices[0], /^The cuda execution provider could not start \(.+\); running on cpu instead\.$/);
  await cache.release();
});

test('a GPU session that fails while running is replaced by a cpu session once, with a notice, and the run is retried', async () => {
  const { factory, providers } = recordingFactory((session, provider) => provider === 'cuda' && failRuns(session, 'injected: device lost'));
  const cache = new SessionCache('cuda', { createSession: factory });
  const graph = await TappedGraph.load(visionFile());
  const open = await graph.open(cache, 'v');
  assert.equal(open.provider, 'cuda');
  // Two runs in flight when the device fails share one notice and one replacement.
  const [a, b] = await Promise.all([graph.run(open, feeds, 1), graph.run(open, feeds, 1)]);
  assert.deepEqual([...(a.outputs.image_embeds.data as Float32Array)], [...expected]);
  assert.deepEqual([...(b.outputs.image_embeds.data as Float32Array)], [...expected]);
  assert.equal(open.provider, 'cpu');
  assert.deepEqual(providers, ['cuda', 'cpu']);
  assert.deepEqual(cache.notices, ['The cuda execution provider failed while running (injected: device lost); this model now runs on cpu.']);
  await graph.run(open, feeds, 1);
  assert.deepEqual(providers, ['cuda', 'cpu'], 'the cpu session is kept');
  await cache.release();
});

test('a cpu session that throws fails that request and is rebuilt for the next one', async () => {
  const { factory, providers } = recordingFactory();
  const cache = new SessionCache('cpu', { createSession: factory });
  const graph = await TappedGraph.load(visionFile());
  const open = await graph.open(cache, 'v');
  const broken = open.session;
  failRuns(broken, 'injected: bad state', 1);
  await assert.rejects(graph.run(open, feeds, 1), /running the model failed on cpu: injected: bad state/);
  const { outputs } = await graph.run(open, feeds, 1);
  assert.notEqual(open.session, broken, 'a new session');
  assert.deepEqual([...(outputs.image_embeds.data as Float32Array)], [...expected]);
  assert.deepEqual(providers, ['cpu', 'cpu']);
  assert.deepEqual(cache.notices, []);
  await cache.release();
});

test('under auto, a GPU provider that cannot start is an expected fallback: said quietly, not a notice; asked by name, it is a notice', async () => {
  const failing: SessionFactory = async (source, options) => {
    const provider = String(options.executionProviders?.[0]);
    if (provider !== 'cpu') throw new Error(`no ${provider} device`);
    return typeof source === 'string' ? ort.InferenceSession.create(source, options) : ort.InferenceSession.create(source, options);
  };
  const auto = new SessionCache('auto', { createSession: failing });
  const ran = await embeds(await TappedGraph.load(visionFile()), auto, 'auto');
  assert.equal(ran.provider, 'cpu');
  assert.deepEqual([...ran.embeds], [...expected]);
  assert.deepEqual(auto.notices, []);
  assert.ok(auto.fallbacks.length > 0 && auto.fallbacks.every((line) => /execution provider could not start \(.+\); running on cpu instead\.$/.test(line)), auto.fallbacks.join(' / '));
  await auto.release();
  const named = new SessionCache('webgpu', { createSession: failing });
  await embeds(await TappedGraph.load(visionFile()), named, 'named');
  assert.equal(named.notices.length, 1);
  assert.match(named.notices[0], /^The webgpu execution provider could not start/);
  assert.deepEqual(named.fallbacks, []);
  await named.release();
});
