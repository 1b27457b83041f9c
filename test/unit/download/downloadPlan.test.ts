// Which files of a repo are fetched: hand-written listings modelled on real repos (transformers.js exports with
// many variants under onnx/, Optimum exports at the root, weights in external data files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { graphFiles, logitHeadGraph, metadataFiles } from '../../../src/download/downloadPlan';
import type { RepoFile } from '../../../src/download/repoFiles';

const files = (...paths: string[]): RepoFile[] => paths.map((path, i) => ({ path, size: 10 + i }));
const paths = (list: RepoFile[]) => list.map((f) => f.path);
const configs = ['config.json', 'preprocessor_config.json', 'tokenizer.json'];

const transformersJs = files(
  '.gitattributes', 'README.md', ...configs, 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt',
  'onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/text_model.onnx', 'onnx/text_model_fp16.onnx', 'onnx/text_model_quantized.onnx',
  'onnx/vision_model.onnx', 'onnx/vision_model_fp16.onnx', 'onnx/vision_model_quantized.onnx',
);

test('a transformers.js export: the configs, then fp32 vision and text towers and nothing else', () => {
  assert.deepEqual(paths(metadataFiles(transformersJs, 'Xenova/clip')), [...configs, 'tokenizer_config.json', 'special_tokens_map.json']);
  assert.deepEqual(paths(graphFiles(transformersJs, 'Xenova/clip', false)), ['onnx/vision_model.onnx', 'onnx/text_model.onnx']);
});

test('without an fp32 pair the first variant both towers have is taken, never a mix', () => {
  const repo = files(...configs, 'onnx/vision_model.onnx', 'onnx/vision_model_fp16.onnx', 'onnx/text_model_quantized.onnx', 'onnx/text_model_fp16.onnx', 'onnx/vision_model_quantized.onnx');
  assert.deepEqual(paths(graphFiles(repo, 'r', false)), ['onnx/vision_model_quantized.onnx', 'onnx/text_model_quantized.onnx']);
});

test('an Optimum export keeps its graphs at the root; onnx/ wins when both have the variant', () => {
  assert.deepEqual(paths(graphFiles(files(...configs, 'vision_model.onnx', 'text_model.onnx'), 'r', false)), ['vision_model.onnx', 'text_model.onnx']);
  assert.deepEqual(paths(graphFiles(files(...configs, 'vision_model.onnx', 'onnx/vision_model.onnx', 'onnx/text_model.onnx'), 'r', false)), ['onnx/vision_model.onnx', 'onnx/text_model.onnx']);
});

test('external data files follow their graph; those of other variants stay behind', () => {
  const repo = files(
    ...configs, 'onnx/vision_model.onnx', 'onnx/vision_model.onnx_data', 'onnx/text_model.onnx', 'onnx/text_model.onnx_data', 'onnx/text_model.onnx_data_1',
    'onnx/text_model_fp16.onnx', 'onnx/text_model_fp16.onnx_data', 'onnx/vision_model.onnx_data.bak', 'onnx/text_model.onnx.data',
  );
  assert.deepEqual(paths(graphFiles(repo, 'r', false)), [
    'onnx/vision_model.onnx', 'onnx/vision_model.onnx_data', 'onnx/text_model.onnx', 'onnx/text_model.onnx_data', 'onnx/text_model.onnx_data_1', 'onnx/text_model.onnx.data',
  ]);
});

test('a two-tower repo without towers gets its one graph (Optimum\'s default export), the towers when it has both', () => {
  assert.deepEqual(paths(graphFiles(files(...configs, 'onnx/model_quantized.onnx', 'onnx/model.onnx'), 'r', false)), ['onnx/model.onnx']);
  assert.deepEqual(paths(graphFiles(files(...configs, 'onnx/model.onnx', 'onnx/vision_model.onnx', 'onnx/text_model_fp16.onnx', 'onnx/vision_model_fp16.onnx'), 'r', false)), ['onnx/vision_model_fp16.onnx', 'onnx/text_model_fp16.onnx']);
});

test('a single-stream model (token_layout in config.json) gets its joint graph only', () => {
  assert.deepEqual(paths(graphFiles(transformersJs, 'r', true)), ['onnx/model.onnx']);
});

test('missing configs and missing graphs are model errors that say what was expected', () => {
  assert.throws(() => metadataFiles(files('config.json', 'onnx/vision_model.onnx'), 'me/x'),
    (e: unknown) => e instanceof LensError && e.kind === 'badModel' && e.message.startsWith('preprocessor_config.json, tokenizer.json: not found in me/x') && e.message.includes('onnx/vision_model.onnx + onnx/text_model.onnx'));
  assert.throws(() => metadataFiles(files(...configs, 'model.safetensors', 'pytorch_model.bin'), 'me/x'),
    (e: unknown) => e instanceof LensError && e.kind === 'badModel' && e.message.includes('me/x: it has no .onnx files, but the model needs onnx/vision_model.onnx and onnx/text_model.onnx'));
  assert.throws(() => graphFiles(files(...configs, 'onnx/vision_model.onnx', 'onnx/decoder.onnx'), 'me/x', false),
    (e: unknown) => e instanceof LensError && e.message.includes('its .onnx files are onnx/vision_model.onnx, onnx/decoder.onnx') && e.message.includes('or onnx/model.onnx'));
  assert.throws(() => graphFiles(files(...configs, 'onnx/vision_model.onnx', 'onnx/text_model.onnx'), 'me/x', true),
    (e: unknown) => e instanceof LensError && e.message.includes('needs onnx/model.onnx (config.json declares a token_layout)'));
});

test('a SigLIP repo also gets its smallest one-graph file, the only place its trained logit scale and bias are; no other model does', () => {
  const sizes: Record<string, number> = { 'onnx/model.onnx': 800, 'onnx/model_fp16.onnx': 400, 'onnx/model_quantized.onnx': 210, 'onnx/model_q4.onnx': 190, 'onnx/vision_model.onnx': 370, 'onnx/text_model.onnx': 440 };
  const listing = [...files(...configs), ...Object.entries(sizes).map(([path, size]) => ({ path, size }))];
  const towers = graphFiles(listing, 'r', false);
  assert.deepEqual(paths(towers), ['onnx/vision_model.onnx', 'onnx/text_model.onnx']);
  assert.deepEqual(paths(logitHeadGraph(listing, 'siglip', towers)), ['onnx/model_q4.onnx']);
  assert.deepEqual(logitHeadGraph(listing, 'clip', towers), []);
  const oneGraphOnly = listing.filter((f) => !f.path.includes('_model'));
  assert.deepEqual(logitHeadGraph(oneGraphOnly, 'siglip', graphFiles(oneGraphOnly, 'r', false)), [], 'the one graph itself is already fetched');
});
