// A model whose weights live in an external data file beside it: tapped from a copy that links to that file, with
// plain onnxruntime's outputs, and cached under a key that covers the weights file's content too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { proto } from '../../../src/inference/onnx/protoSchema';
import { OptimizedModelCache } from '../../../src/inference/runtime/optimizedModelCache';
import { SessionCache } from '../../../src/inference/runtime/sessions';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';
import { visionCase, writeTinyClip, type TinyClip } from '../../support/tinyClip';

interface RawTensor {
  rawData?: Uint8Array;
  dataLocation?: number;
  externalData?: { key: string; value: string }[];
}

let clip: TinyClip;
let folder: string;
let expected: Float32Array;
let feeds: Record<string, ort.Tensor>;

before(async () => {
  clip = writeTinyClip();
  folder = mkdtempSync(join(tmpdir(), 'mmlens-external-'));
  ({ feeds, expected } = await visionCase(clip));
  // Every initializer over 1 KiB moves to weights.bin, as onnx.save_model(..., save_as_external_data=True) does.
  const model = proto.model.decode(clip.towerBytes('vision')) as unknown as { graph: { initializer: RawTensor[] } };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of model.graph.initializer) {
    if (!tensor.rawData || tensor.rawData.length <= 1024) continue;
    parts.push(tensor.rawData);
    tensor.externalData = [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(tensor.rawData.length) }];
    tensor.dataLocation = 1;
    offset += tensor.rawData.length;
    delete tensor.rawData;
  }
  assert.ok(parts.length > 4, 'several tensors moved');
  writeFileSync(join(folder, 'weights.bin'), Buffer.concat(parts));
  writeFileSync(join(folder, 'vision_model.onnx'), proto.model.encode(proto.model.fromObject(model)).finish());
});
after(() => {
  clip.remove();
  rmSync(folder, { recursive: true, force: true });
});

test('a model with external data is tapped from a copy that finds its weights, with and without the disk cache', async () => {
  const graph = await TappedGraph.load(join(folder, 'vision_model.onnx'));
  assert.equal(graph.graph.usesExternalData, true);
  assert.deepEqual(graph.graph.externalDataFiles, ['weights.bin']);
  assert.ok(graph.taps.length > 0);
  for (const cacheDir of [undefined, join(folder, 'cache'), join(folder, 'cache')]) {
    const cache = new SessionCache('cpu', { cacheDir });
    const open = await graph.open(cache, 'vision');
    const { outputs, attention } = await graph.run(open, feeds, 1);
    assert.deepEqual([...(outputs.image_embeds.data as Float32Array)], [...expected], `cache ${cacheDir}`);
    assert.equal(attention.length, graph.taps.length);
    await cache.release();
  }
  // The temporary copies (and their links to the weights) are gone once their sessions exist.
  assert.deepEqual(readdirSync(join(folder, 'cache')).filter((name) => name.startsWith('mmlens-tapped-')), []);
});

test('the cache key covers the external data file: other weights, another key', async () => {
  const model = join(folder, 'vision_model.onnx');
  const weights = join(folder, 'weights.bin');
  const identity = { file: model, dataFiles: [weights], additions: 'taps' };
  const before = await new OptimizedModelCache(join(folder, 'keys')).key(identity, 'cpu', '1.30.0');
  const bytes = readFileSync(weights);
  bytes[0] ^= 1;
  writeFileSync(weights, bytes);
  const mtime = statSync(weights).mtimeMs / 1000 + 10;
  utimesSync(weights, mtime, mtime);
  assert.notEqual(await new OptimizedModelCache(join(folder, 'keys')).key(identity, 'cpu', '1.30.0'), before);
  assert.notEqual(await new OptimizedModelCache(join(folder, 'keys')).key({ file: model, additions: 'taps' }, 'cpu', '1.30.0'), before, 'the weights are part of the key');
});
