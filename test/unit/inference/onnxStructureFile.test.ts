// readModelStructure: the structure read without the weights decodes exactly as the whole file does, is a small
// fraction of it, and a truncated file is a "not a valid ONNX model" error, not a crash or a wrong graph.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { readModelStructure } from '../../../src/inference/runtime/onnxStructureFile';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';
import { decodeModel, encodeModelMessage } from '../../fuzz/onnxMutations';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';

let clips: TinyClip[];

before(() => {
  clips = [writeTinyClip(), writeTinyClip({ attentionLayout: '3d' }), writeTinyClip({ fusedAttention: true })];
});
after(() => clips.forEach((c) => c.remove()));

const towers = () => clips.flatMap((c) => ['vision', 'text'].map((t) => join(c.dir, 'onnx', `${t}_model.onnx`)));

/** The decoded structure with byte fields as plain arrays, so views into different buffers compare by value. */
function structure(bytes: Uint8Array): unknown {
  return JSON.parse(JSON.stringify(decodeGraphStructure(bytes), (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v)));
}

test('walked window by window, the structure decodes to the same graph as the whole file, in a fraction of its bytes', async () => {
  for (const file of towers()) {
    const whole = readFileSync(file);
    const expected = structure(whole);
    // Windows of 64 bytes make every field cross window edges; 4 KiB windows read large fields apart.
    for (const window of [64, 4096]) {
      const small = await readModelStructure(file, { readWhole: 0, window });
      assert.deepEqual(structure(small), expected, `${file}, window ${window}`);
      assert.ok(small.length < whole.length / 4, `${file}: ${small.length} of ${whole.length} bytes`);
    }
    assert.deepEqual(structure(await readModelStructure(file)), expected, `${file}, read whole`);
  }
});

test('a truncated model is refused as invalid, and a missing one as unreadable', async () => {
  const file = towers()[0];
  const cut = join(clips[0].dir, 'cut.onnx');
  const size = statSync(file).size;
  for (const keep of [size - 1, Math.floor(size / 2), 3]) {
    writeFileSync(cut, readFileSync(file).subarray(0, keep));
    await assert.rejects(readModelStructure(cut, { readWhole: 0, window: 256 }), /runs past the end|ends|truncated/, `kept ${keep} bytes`);
  }
  await assert.rejects(TappedGraph.load(cut), (e: unknown) => e instanceof LensError && e.kind === 'badModel' && /cut\.onnx: is not a valid ONNX model/.test(e.message));
  await assert.rejects(TappedGraph.load(join(clips[0].dir, 'missing.onnx')), /missing\.onnx: cannot be read \(ENOENT\)/);
});

test('a valid graph with 500,000 value_info entries reads as the whole file decodes (issue 19 item 5: spreading its fields overflowed the stack)', async () => {
  const file = join(clips[0].dir, 'onnx', 'text_model.onnx');
  const model = decodeModel(readFileSync(file));
  for (let i = 0; i < 500_000; i++) model.graph!.valueInfo.push({ name: `unused_${i}` });
  const big = join(clips[0].dir, 'onnx', 'many_fields.onnx');
  writeFileSync(big, encodeModelMessage(model));
  const read = decodeGraphStructure(await readModelStructure(big));
  const whole = decodeGraphStructure(readFileSync(big));
  assert.equal(read.valueInfo?.length, whole.valueInfo?.length);
  assert.equal(read.valueInfo?.at(-1)?.name, 'unused_499999');
  assert.deepEqual(read.nodes.length, whole.nodes.length);
});
