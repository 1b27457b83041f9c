// The family registry and the adapters' capabilities, on tiny real-architecture folders: which family takes a
// folder, what each says it can do, and that the patch grid it perturbs on is the one its config.json describes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseFamily, MODEL_FAMILIES } from '../../../src/inference/families/registry';
import { loadModelFolder } from '../../../src/inference/model/modelFolder';
import { InferenceService } from '../../../src/inference/service';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';

let clip: TinyClip;
let fusion: TinyFusion;
let service: InferenceService;

before(() => {
  clip = writeTinyClip();
  fusion = writeTinyFusion();
  service = new InferenceService({ executionProvider: 'cpu', defaultModelDir: clip.dir });
});

after(async () => {
  await service.dispose();
  clip.remove();
  fusion.remove();
});

function readConfig(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
}

test('the registry lists each family once and picks the family of each folder, which results then name', async () => {
  assert.deepEqual(MODEL_FAMILIES.map((f) => f.name), ['singleStream', 'twoTower', 'crossAttention', 'generative']);
  assert.equal(chooseFamily(await loadModelFolder(clip.dir)).name, 'twoTower');
  assert.equal(chooseFamily(await loadModelFolder(fusion.dir)).name, 'singleStream');
  assert.equal(chooseFamily(await loadModelFolder(join(__dirname, '../../fixtures/hf-blip'))).name, 'crossAttention');
  assert.equal(chooseFamily(await loadModelFolder(join(__dirname, '../../fixtures/tiny-llava'))).name, 'generative');
  const inspected = await service.inspect(fusion.dir);
  assert.equal(inspected.model.architecture, 'singleStream');
});

test('a two-tower model offers similarity and dense maps, and perturbs on whole patches of its input', async () => {
  const model = await service.model(clip.dir);
  assert.equal(model.family, 'twoTower');
  assert.deepEqual(
    { ...model.capabilities, denseMaps: model.capabilities.denseMaps.available, valuePath: model.capabilities.valuePath.available, queryQueryPath: model.capabilities.queryQueryPath?.available },
    { similarity: true, imageTextMatching: false, generation: false, attention: 'towers', denseMaps: true, valuePath: true, queryQueryPath: true, probes: { available: true } },
  );
  const patch = (readConfig(clip.dir).vision_config as { patch_size: number }).patch_size;
  // 70 x 45 pixels hold floor(70 / patch) x floor(45 / patch) whole patches; the remainder is never hidden.
  assert.deepEqual(model.perturbationGrid({ height: 70, width: 45 }), { rows: Math.floor(70 / patch), cols: Math.floor(45 / patch) });
  assert.equal(model.defaultScoreKind(1), 'similarity');
  assert.equal(model.defaultScoreKind(2), 'probability');
  const inspected = await service.inspect(clip.dir);
  assert.deepEqual(inspected.denseProjection, { available: true });
});

test('a single-stream model offers matching over joint attention, and says why it has no dense maps', async () => {
  const model = await service.model(fusion.dir);
  assert.equal(model.family, 'singleStream');
  const { denseMaps, valuePath, ...rest } = model.capabilities;
  assert.deepEqual(rest, { similarity: false, imageTextMatching: true, generation: false, attention: 'joint', probes: { available: true } });
  assert.ok(!denseMaps.available && /no joint embedding space/.test(denseMaps.reason));
  assert.ok(!valuePath.available && /no image-only value path/.test(valuePath.reason));
  const layout = readConfig(fusion.dir).token_layout as { rows: number; cols: number };
  assert.deepEqual(model.perturbationGrid({ height: 1, width: 1 }), { rows: layout.rows, cols: layout.cols });
  assert.equal(model.defaultScoreKind(3), 'itm');
  assert.deepEqual((await service.inspect(fusion.dir)).denseProjection, denseMaps);
});

test('a folder with both towers and a joint graph with a token layout is single-stream: the first family that claims it wins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-registry-'));
  try {
    for (const name of ['config.json', 'preprocessor_config.json', 'tokenizer.json']) copyFileSync(join(fusion.dir, name), join(dir, name));
    mkdirSync(join(dir, 'onnx'));
    copyFileSync(join(fusion.dir, 'onnx', 'model.onnx'), join(dir, 'onnx', 'model.onnx'));
    for (const tower of ['vision_model.onnx', 'text_model.onnx']) copyFileSync(join(clip.dir, 'onnx', tower), join(dir, 'onnx', tower));
    assert.equal(chooseFamily(await loadModelFolder(dir)).name, 'singleStream');
    // Without the token layout the same folder is two towers (the joint graph is then a combined export, unused).
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...readConfig(fusion.dir), token_layout: undefined }));
    assert.equal(chooseFamily(await loadModelFolder(dir)).name, 'twoTower');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
