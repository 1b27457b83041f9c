// Issue 7 item 3 through the service, as the extension meets a model: each required file missing in turn,
// invalid JSON in each JSON file, truncated graphs, a text graph that takes pixels, a preprocessor that does
// not fit the graph, dynamic shapes, NaN outputs. After every failure the same service still serves a good
// model. (Fused attention: test/unit/service/analyzeTwoTower.test.ts and test/unit/onnx/fusedAttention.test.ts.)
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../../../src/core/errors';
import { SessionCache } from '../../../src/inference/runtime/sessions';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';
import { decodeModel, encodeModelMessage, type ModelMessage } from '../../fuzz/onnxMutations';
import { cosine } from '../../support/reference';
import { plainImageEmbeds, plainTextEmbeds, uniformPixels } from '../../support/tinyClip';
import { useTinyClipService } from '../../support/tinyClipService';
import { rejectsLens, type ExpectedError } from './lensAssert';

let image: string;
let count = 0;
const grey = [128, 128, 128];
const text = 'a red circle';

const run = useTinyClipService('mmlens-badmodel-');

before(async () => {
  image = join(run.work, 'grey.png');
  await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(image);
});

/** A copy of the tiny CLIP folder changed by `edit`. */
function variant(edit: (dir: string) => void): string {
  const dir = join(run.work, `model-${count++}`);
  cpSync(run.clip.dir, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** Rewrites a tower through the full protobuf schema, with `edit` applied to the decoded model. */
function editTower(dir: string, tower: 'vision' | 'text', edit: (model: ModelMessage) => void): void {
  const model = decodeModel(run.clip.towerBytes(tower));
  edit(model);
  writeFileSync(join(dir, 'onnx', `${tower}_model.onnx`), encodeModelMessage(model));
}

/** The analysis fails as expected, and the same service then still analyses with the good model. */
async function failsThenRecovers(modelDir: string, expected: ExpectedError): Promise<void> {
  await rejectsLens(run.service.analyze({ modelDir, images: [image], texts: [text] }), expected);
  const ok = await run.service.analyze({ images: [image], texts: [text] });
  assert.equal(ok.similarity[0].length, 1);
}

test('each required file missing in turn is named with the folder and the export fix', async () => {
  for (const file of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'onnx/vision_model.onnx', 'onnx/text_model.onnx']) {
    const dir = variant((d) => rmSync(join(d, file)));
    const name = file.replace('.', '\\.');
    await failsThenRecovers(dir, { kind: 'badModel', what: [new RegExp(`^${name}: not found in ${dir}`)], fix: /optimum-cli export onnx|bundled demo model/ });
  }
});

test('invalid JSON in each JSON file names the file, the line and the column', async () => {
  for (const file of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
    const dir = variant((d) => writeFileSync(join(d, file), '{\n  "a": 1,\n  "b": tru\n}\n'));
    await failsThenRecovers(dir, { kind: 'badModel', what: [new RegExp(`^${file.replace('.', '\\.')}: is not valid JSON: .*\\(line 3, column \\d+\\)`)] });
  }
});

test('a graph truncated at 10 bytes, at half and one byte short is "not a valid ONNX model", by path', async () => {
  const bytes = run.clip.towerBytes('vision');
  for (const length of [10, bytes.length >> 1, bytes.length - 1]) {
    const dir = variant((d) => writeFileSync(join(d, 'onnx/vision_model.onnx'), bytes.subarray(0, length)));
    await failsThenRecovers(dir, { kind: 'badModel', what: [new RegExp(`${dir}/onnx/vision_model\\.onnx: is not a valid ONNX model`)], fix: /truncated/ });
  }
});

test('a text graph that takes pixels (no text input) names its inputs', async () => {
  const dir = variant((d) => writeFileSync(join(d, 'onnx/text_model.onnx'), run.clip.towerBytes('vision')));
  await failsThenRecovers(dir, { kind: 'badModel', what: [/text_model\.onnx: has no token ids \(integer, rank 2\) input \(its inputs: pixel_values\)/], fix: /input_ids/ });
});

test('a preprocessor that makes 48x48 images for a 32x32 graph says both sizes and which file to fix', async () => {
  const dir = variant((d) => {
    const path = join(d, 'preprocessor_config.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), size: { shortest_edge: 48 }, crop_size: { height: 48, width: 48 } }));
  });
  await failsThenRecovers(dir, { kind: 'badModel', what: [/vision_model\.onnx: takes 32x32 \(height x width\) images, but preprocessor_config\.json makes 48x48/], fix: /crop_size/ });
});

test('dynamic shapes: a pixel input with every dimension symbolic still scores like the reference', async () => {
  const dir = variant((d) => editTower(d, 'vision', (m) => {
    const input = m.graph!.input.find((i) => i.name === 'pixel_values')!;
    input.type!.tensorType!.shape = { dim: ['batch', 'channels', 'height', 'width'].map((dimParam) => ({ dimParam })) };
  }));
  const result = await run.service.analyze({ modelDir: dir, images: [image], texts: [text] });
  const expected = cosine(await plainImageEmbeds(run.clip, uniformPixels(run.clip, grey)), await plainTextEmbeds(run.clip, text));
  assert.ok(Math.abs(result.similarity[0][0] - expected) < 1e-4, `${result.similarity[0][0]} vs ${expected}`);
});

test('a model whose output is NaN is refused, naming the file and the output, instead of scoring 0', async () => {
  const dir = variant((d) => editTower(d, 'vision', (m) => {
    const weight = m.graph!.initializer.find((t) => t.name === 'visual_projection.weight')!;
    weight.rawData = new Uint8Array(new Float32Array(weight.rawData!.length / 4).fill(NaN).buffer);
  }));
  await failsThenRecovers(dir, { kind: 'badModel', what: [/vision_model\.onnx: its output "image_embeds" holds NaN/], fix: /fp16|re-export/ });
});

test('an external-data location with ".." must not make the tapped copy write outside its private folder', async () => {
  const scratch = mkdtempSync(join(run.work, 'tmp-'));
  const dir = variant((d) => editTower(d, 'vision', (m) => {
    const tensor = m.graph!.initializer.find((t) => t.name === 'pre_layrnorm.bias')!;
    tensor.dataLocation = 1;
    tensor.externalData = [{ key: 'location', value: '../escaped-link.bin' }];
    delete tensor.rawData;
  }));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  const cache = new SessionCache('cpu');
  try {
    const graph = await TappedGraph.load(join(dir, 'onnx/vision_model.onnx'));
    await assert.rejects(graph.open(cache, 'escape'), (error: unknown) => {
      assert.ok(error instanceof LensError, String(error));
      assert.equal(error.kind, 'badModel');
      assert.match(error.message, /vision_model\.onnx/);
      assert.match(error.message, /\.\.\/escaped-link\.bin/);
      return true;
    });
  } finally {
    process.env.TMPDIR = saved;
    await cache.release();
  }
  // readdir, not existsSync: the escaped symlink dangles, and existsSync follows links.
  assert.equal(readdirSync(scratch).includes('escaped-link.bin'), false, 'a symlink was created outside the private mmlens-tapped-* folder');
});

test('an external-data location through a folder symlink that points outside the model folder is refused, naming file and location', async () => {
  const outside = mkdtempSync(join(run.work, 'outside-'));
  writeFileSync(join(outside, 'weights.bin'), Buffer.alloc(4 * 64));
  const dir = variant((d) => editTower(d, 'vision', (m) => {
    const tensor = m.graph!.initializer.find((t) => t.name === 'pre_layrnorm.bias')!;
    tensor.dataLocation = 1;
    tensor.externalData = [{ key: 'location', value: 'linked/weights.bin' }];
    delete tensor.rawData;
  }));
  symlinkSync(outside, join(dir, 'onnx', 'linked'), 'dir');
  const scratch = mkdtempSync(join(run.work, 'tmp-'));
  const cache = new SessionCache('cpu', { cacheDir: scratch });
  try {
    const graph = await TappedGraph.load(join(dir, 'onnx/vision_model.onnx'));
    await assert.rejects(graph.open(cache, 'linked'), (error: unknown) => {
      assert.ok(error instanceof LensError, String(error));
      assert.equal(error.kind, 'badModel');
      assert.match(error.message, /vision_model\.onnx/);
      assert.match(error.message, /linked\/weights\.bin/);
      assert.ok(error.message.includes(outside), error.message);
      return true;
    });
  } finally {
    await cache.release();
  }
  // Nothing was linked from outside into the scratch folder.
  assert.deepEqual(readdirSync(scratch).filter((n) => n.startsWith('mmlens-tapped-')), []);
  assert.deepEqual(readdirSync(outside), ['weights.bin']);
});

test('found by the config fuzzer: a vocabulary id that is not a number, an unknown token the tokenizer cannot resolve, a size of 1e9', async () => {
  const editJson = (d: string, name: string, edit: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(readFileSync(join(d, name), 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(join(d, name), JSON.stringify(json));
  };
  const objectId = variant((d) => editJson(d, 'tokenizer.json', (j) => ((j.model as { vocab: Record<string, unknown> }).vocab.circle = {})));
  await failsThenRecovers(objectId, { kind: 'badModel', what: [/^tokenizer\.json: gives the token "circle" the id \{\} in "a red circle"; ids must be whole numbers/], fix: /save_pretrained/ });
  const badUnk = variant((d) => editJson(d, 'tokenizer_config.json', (j) => (j.unk_token = -1)));
  await rejectsLens(run.service.analyze({ modelDir: badUnk, images: [image], texts: ['a zebra'] }), { kind: 'badModel', what: [/^tokenizer\.json: gives the token .* in "a zebra"/] });
  const huge = variant((d) => editJson(d, 'preprocessor_config.json', (j) => (j.size = 1e9)));
  await failsThenRecovers(huge, { kind: 'badModel', what: [/^preprocessor_config\.json: field "size" is 1000000000 pixels; at most 8192 is supported/] });
});

test('found by the deep-structure fuzzer: a config value nested 100,000 deep is quoted in a line, not a stack overflow', async () => {
  const deep = (inner: string) => `${'['.repeat(50_000)}${'{"a":'.repeat(50_000)}${inner}${'}'.repeat(50_000)}${']'.repeat(50_000)}`;
  const splice = (d: string, name: string, key: string, inner = '0') => {
    const text = readFileSync(join(d, name), 'utf8').replace(/\s*}\s*$/, `, "${key}": ${deep(inner)}}`);
    writeFileSync(join(d, name), text);
  };
  // The quote is the value's first three levels, [[[[...]]]], not 200,000 characters (nor a RangeError).
  const quote = /got \[\[\[\[\.\.\.\]\]\]\]\./;
  const mean = variant((d) => splice(d, 'preprocessor_config.json', 'image_mean'));
  const meanError = await rejectsLens(run.service.analyze({ modelDir: mean, images: [image], texts: [text] }), { kind: 'badModel', what: [/^preprocessor_config\.json: field "image_mean" must be a list of 3 numbers/, quote] });
  assert.ok(meanError.message.length < 300, meanError.message);
  const size = variant((d) => splice(d, 'config.json', 'projection_dim'));
  await failsThenRecovers(size, { kind: 'badModel', what: [/^config\.json: field "projection_dim" must be a positive integer, got \[\[\[\[\.\.\.\]\]\]\]\./] });
  // A vocabulary id nested 100,000 deep: the tokenizer library walks values recursively and overflows; that is the file's fault.
  const tokenizerId = variant((d) => {
    const json = JSON.parse(readFileSync(join(d, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, unknown> } };
    json.model.vocab.circle = '\u0000deep\u0000';
    writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(json).replace('"\\u0000deep\\u0000"', deep('7')));
  });
  await failsThenRecovers(tokenizerId, { kind: 'badModel', what: [/^tokenizer\.json: cannot be loaded \(a value is nested too deeply to read\)/], fix: /save_pretrained/ });
  // Nested 20 deep, the library loads it and the id it gives is quoted in three levels.
  const shallowId = variant((d) => {
    const json = JSON.parse(readFileSync(join(d, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, unknown> } };
    json.model.vocab.circle = '\u0000deep\u0000';
    writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(json).replace('"\\u0000deep\\u0000"', `${'['.repeat(20)}7${']'.repeat(20)}`));
  });
  await failsThenRecovers(shallowId, { kind: 'badModel', what: [/^tokenizer\.json: gives the token "circle" the id \[\[\[\[\.\.\.\]\]\]\] in "a red circle"/] });
});
