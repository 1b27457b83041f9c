// loadModelFolder on folders laid out as transformers.js and Optimum write them, and on broken ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { chooseFamily } from '../../../src/inference/families/registry';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';

const GRAPH = 'not parsed here, only found';
const base: Record<string, string> = {
  'config.json': JSON.stringify({ _name_or_path: 'openai/clip-vit-base-patch32', model_type: 'clip', projection_dim: 512, vision_config: { image_size: 224, patch_size: 32 } }),
  'preprocessor_config.json': JSON.stringify({ size: 224, crop_size: 224 }),
  'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'BPE' } }),
};

/** Makes a folder holding `files` (path -> content), runs `body`, removes it. */
async function withFolder(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mmlens-model-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rejectsModel(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LensError && error.kind === 'badModel', String(error));
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

test('a transformers.js two-tower folder: configs parsed, graphs found under onnx/', async () => {
  const files = { ...base, 'onnx/vision_model.onnx': GRAPH, 'onnx/text_model.onnx': GRAPH, 'tokenizer_config.json': '{"pad_token": "<|endoftext|>", "model_max_length": 77}', 'special_tokens_map.json': '{"pad_token": "X", "eos_token": "<|endoftext|>"}' };
  await withFolder(files, async (dir) => {
    const folder = await loadModelFolder(dir);
    assert.equal(folder.dir, dir);
    assert.equal(folder.name, 'openai/clip-vit-base-patch32');
    assert.equal(chooseFamily(folder).name, 'twoTower');
    assert.deepEqual(folder.files, { vision: join(dir, 'onnx/vision_model.onnx'), text: join(dir, 'onnx/text_model.onnx') });
    assert.equal(folder.config.projectionDim, 512);
    assert.equal(folder.preprocessor.shortestEdge, 224);
    assert.deepEqual(folder.tokenizerJson, { version: '1.0', model: { type: 'BPE' } });
    // tokenizer_config.json wins over special_tokens_map.json; keys only in the map are kept.
    assert.deepEqual(folder.tokenizerConfig, { pad_token: '<|endoftext|>', eos_token: '<|endoftext|>', model_max_length: 77 });
  });
});

test('an Optimum export with model.onnx at the root is recorded as a joint graph; a token layout makes it single-stream', async () => {
  await withFolder({ ...base, 'model.onnx': GRAPH }, async (dir) => {
    const folder = await loadModelFolder(dir);
    assert.deepEqual(folder.files, { joint: join(dir, 'model.onnx') });
    // Without a token layout, one graph is both towers of a CLIP or SigLIP (Optimum's default export).
    assert.equal(chooseFamily(folder).name, 'twoTower');
    assert.deepEqual(folder.tokenizerConfig, {});
  });
  // Another model type's one graph (a detector) is not read as two towers; the error says what is there.
  await withFolder({ ...base, 'config.json': JSON.stringify({ model_type: 'owlvit' }), 'model.onnx': GRAPH }, async (dir) => {
    const folder = await loadModelFolder(dir);
    assert.throws(() => chooseFamily(folder), (e: unknown) => e instanceof LensError && e.kind === 'badModel'
      && /holds model\.onnx with config\.json's model_type "owlvit", no token_layout, which no supported model family takes/.test(e.message)
      && /both in one onnx\/model\.onnx/.test(e.message));
  });
  const layout = { text_start: 0, text_end: 8, image_start: 8, image_tokens: 4, rows: 2, cols: 2 };
  const single = { ...base, 'config.json': JSON.stringify({ model_type: 'mmlens', token_layout: layout }) };
  await withFolder({ ...single, 'onnx/model.onnx': GRAPH }, async (dir) => {
    const folder = await loadModelFolder(dir);
    assert.equal(chooseFamily(folder).name, 'singleStream');
    assert.equal(folder.name, basename(dir));
    assert.equal(folder.files.joint, join(dir, 'onnx/model.onnx'));
  });
  await withFolder({ ...single, 'onnx/vision_model.onnx': GRAPH, 'onnx/text_model.onnx': GRAPH }, (dir) =>
    rejectsModel(loadModelFolder(dir), /^onnx\/model\.onnx: not found/, /token_layout/),
  );
});

test('plain fp32 graphs win over variants; a variant alone is used with a note', async () => {
  const both = { ...base, 'onnx/vision_model_quantized.onnx': GRAPH, 'onnx/vision_model.onnx': GRAPH, 'text_model.onnx': GRAPH, 'onnx/text_model_fp16.onnx': GRAPH };
  await withFolder(both, async (dir) => {
    const folder = await loadModelFolder(dir);
    assert.deepEqual(folder.files, { vision: join(dir, 'onnx/vision_model.onnx'), text: join(dir, 'text_model.onnx') });
    assert.deepEqual(folder.notes, []);
  });
  const variants = { ...base, 'onnx/vision_model_fp16.onnx': GRAPH, 'onnx/vision_model_quantized.onnx': GRAPH, 'onnx/text_model_quantized.onnx': GRAPH };
  await withFolder(variants, async (dir) => {
    const folder = await loadModelFolder(dir);
    assert.equal(folder.files.vision, join(dir, 'onnx/vision_model_quantized.onnx'));
    assert.match(folder.notes.join(' '), /Using onnx\/vision_model_quantized\.onnx \(no fp32 vision_model\.onnx\)/);
  });
});

test('the variant asked for runs where the folder has it, the next one where it has not, each with a note', async () => {
  const files = { ...base, 'onnx/vision_model.onnx': GRAPH, 'onnx/vision_model_fp16.onnx': GRAPH, 'onnx/text_model.onnx': GRAPH };
  await withFolder(files, async (dir) => {
    const folder = await loadModelFolder(dir, 'fp16');
    assert.deepEqual(folder.files, { vision: join(dir, 'onnx/vision_model_fp16.onnx'), text: join(dir, 'onnx/text_model.onnx') });
    assert.match(folder.notes[0], /^Using onnx\/vision_model_fp16\.onnx, the fp16 variant asked for: scores differ slightly/);
    assert.match(folder.notes[1], /^Using onnx\/text_model\.onnx \(no text_model_fp16\.onnx, the fp16 variant asked for\)\.$/);
    assert.equal(folder.notes.length, 2);
  });
});

test('missing files are named together with the export fix', async () => {
  await withFolder({ 'tokenizer.json': '{}', 'model.onnx': GRAPH }, async (dir) => {
    await rejectsModel(loadModelFolder(dir), new RegExp(`^config\\.json, preprocessor_config\\.json: not found in ${dir}\\.`), /optimum-cli export onnx --model openai\/clip-vit-base-patch32 DIR/, /bundled demo model/);
  });
  const slowOnly = { 'config.json': base['config.json'], 'preprocessor_config.json': base['preprocessor_config.json'], 'vocab.json': '{}', 'model.onnx': GRAPH };
  await withFolder(slowOnly, async (dir) => {
    await rejectsModel(loadModelFolder(dir), /^tokenizer\.json: not found/, /has vocab\.json but no tokenizer\.json/);
  });
  await withFolder({ ...base, 'onnx/vision_model.onnx': GRAPH }, (dir) => rejectsModel(loadModelFolder(dir), /^onnx\/text_model\.onnx: not found/));
  await withFolder(base, (dir) => rejectsModel(loadModelFolder(dir), /onnx\/vision_model\.onnx, onnx\/text_model\.onnx, onnx\/model\.onnx: not found/));
});

test('invalid JSON names the file, line and column; invalid values name the field', async () => {
  await withFolder({ ...base, 'model.onnx': GRAPH, 'preprocessor_config.json': '{\n  "size": 224,\n  "crop_size": }' }, (dir) =>
    rejectsModel(loadModelFolder(dir), /^preprocessor_config\.json: is not valid JSON: .*\(line 3, column 16\)/),
  );
  await withFolder({ ...base, 'model.onnx': GRAPH, 'tokenizer_config.json': '[]' }, (dir) => rejectsModel(loadModelFolder(dir), /^tokenizer_config\.json: must hold a JSON object/));
  await withFolder({ ...base, 'model.onnx': GRAPH, 'config.json': '{"vision_config": {"patch_size": -1}}' }, (dir) => rejectsModel(loadModelFolder(dir), /"vision_config\.patch_size"/));
});

test('a file instead of a folder, a missing folder, empty graphs and Git LFS stubs', async () => {
  await withFolder({ ...base, 'model.onnx': GRAPH }, async (dir) => {
    await rejectsModel(loadModelFolder(join(dir, 'config.json')), /is a file, not a model folder/, new RegExp(`e\\.g\\. ${dir}`));
    await rejectsModel(loadModelFolder(join(dir, 'nope')), /model folder not found/);
  });
  await withFolder({ ...base, 'onnx/model.onnx': '' }, (dir) => rejectsModel(loadModelFolder(dir), /^onnx\/model\.onnx: is empty/));
  const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 351000000\n';
  await withFolder({ ...base, 'onnx/vision_model.onnx': pointer, 'onnx/text_model.onnx': GRAPH }, (dir) =>
    rejectsModel(loadModelFolder(dir), /^onnx\/vision_model\.onnx: is a Git LFS pointer/, /git lfs pull/),
  );
});
