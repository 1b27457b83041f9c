// config.json normalisation: real CLIP and SigLIP spellings, our own single-stream configs, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { parseModelConfig } from '../../../src/inference/model/modelConfig';

/** The fields of openai/clip-vit-base-patch32's config.json that matter here, as published. */
const clipConfig = {
  _name_or_path: 'openai/clip-vit-base-patch32',
  model_type: 'clip',
  projection_dim: 512,
  logit_scale_init_value: 2.6592,
  text_config: { bos_token_id: 0, eos_token_id: 2, pad_token_id: 1, hidden_size: 512, max_position_embeddings: 77, num_attention_heads: 8, num_hidden_layers: 12 },
  vision_config: { hidden_size: 768, image_size: 224, patch_size: 32, num_attention_heads: 12, num_hidden_layers: 12 },
};

function rejectsField(json: unknown, ...patterns: RegExp[]): void {
  assert.throws(() => parseModelConfig(json), (error: unknown) => {
    assert.ok(error instanceof LensError && error.kind === 'badModel', String(error));
    assert.match(error.message, /^config\.json: /);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

test('a real CLIP config: trained scale defaults to 100, legacy token ids are dropped with a note', () => {
  const config = parseModelConfig(clipConfig);
  assert.equal(config.modelType, 'clip');
  assert.equal(config.projectionDim, 512);
  assert.deepEqual(config.logitScale, { value: 100, source: 'default' });
  assert.equal(config.logitBias, undefined);
  assert.deepEqual(config.vision, { imageSize: 224, patchSize: 32, hidden: 768, layers: 12, heads: 12 });
  assert.deepEqual(config.text, { maxLength: 77, hidden: 512, layers: 12, heads: 8 });
  assert.equal(config.tokenLayout, undefined);
  assert.match(config.notes.join(' '), /legacy CLIP token ids/);
});

test('modern CLIP token ids are kept; old *_config_dict spellings are read; missing sizes take defaults with notes', () => {
  const config = parseModelConfig({ model_type: 'clip', text_config_dict: { eos_token_id: 49407, bos_token_id: 49406 }, vision_config_dict: { image_size: 336, patch_size: 14 } });
  assert.deepEqual(config.text, { maxLength: 77, eosTokenId: 49407, bosTokenId: 49406 });
  assert.deepEqual(config.vision, { imageSize: 336, patchSize: 14 });
  const bare = parseModelConfig({ model_type: 'clip' });
  assert.deepEqual(bare.vision, { imageSize: 224, patchSize: 32 });
  assert.match(bare.notes.join(' '), /no image_size; assuming 224.*no patch_size; assuming 32/);
});

test('our own configs: logit_scale is the exponentiated value, token_layout becomes camelCase', () => {
  const layout = { text_start: 1, text_end: 17, image_start: 17, image_tokens: 16, rows: 4, cols: 4, cls_index: 0 };
  const config = parseModelConfig({ model_type: 'mmlens_fusion', logit_scale: 14.3, image_size: 64, patch_size: 16, max_position_embeddings: 16, token_layout: layout });
  assert.deepEqual(config.logitScale, { value: 14.3, source: 'config' });
  assert.deepEqual(config.vision, { imageSize: 64, patchSize: 16 });
  assert.equal(config.text.maxLength, 16);
  assert.deepEqual(config.tokenLayout, { textStart: 1, textEnd: 17, imageStart: 17, imageTokens: 16, rows: 4, cols: 4, clsIndex: 0 });
  const namespaced = parseModelConfig({ model_type: 'x', mmlens: { token_layout: { ...layout, cls_index: undefined } } });
  assert.deepEqual(namespaced.tokenLayout, { textStart: 1, textEnd: 17, imageStart: 17, imageTokens: 16, rows: 4, cols: 4 });
});

// The note on stand-in values is the two-tower adapter's, which first looks in onnx/model.onnx (hfSiglip.test.ts).
test('SigLIP: sigmoid scale and bias default to their initial values', () => {
  const config = parseModelConfig({ model_type: 'siglip', text_config: {}, vision_config: {} });
  assert.deepEqual(config.logitScale, { value: 10, source: 'default' });
  assert.deepEqual(config.logitBias, { value: -10, source: 'default' });
  assert.deepEqual(config.vision, { imageSize: 224, patchSize: 16 });
  assert.equal(config.text.maxLength, 64);
  const given = parseModelConfig({ model_type: 'siglip', logit_scale: 117.3, logit_bias: -12.9 });
  assert.deepEqual([given.logitScale, given.logitBias], [{ value: 117.3, source: 'config' }, { value: -12.9, source: 'config' }]);
});

test('invalid values name the file and the field', () => {
  rejectsField([1, 2], /must hold a JSON object/);
  rejectsField({ model_type: 'clip', vision_config: { patch_size: 0 } }, /"vision_config\.patch_size" must be a positive integer, got 0/);
  rejectsField({ model_type: 'clip', vision_config: { image_size: '224' } }, /"vision_config\.image_size" must be a positive integer, got "224"/);
  rejectsField({ model_type: 'clip', logit_scale: -1 }, /"logit_scale" must be a positive number/);
  rejectsField({ model_type: 'clip', text_config: 5 }, /"text_config" must be an object/);
  rejectsField({ model_type: 'clip', text_config: { max_position_embeddings: 7.5 } }, /"text_config\.max_position_embeddings"/);
});

test('invalid token layouts are refused with the field path', () => {
  const good = { text_start: 0, text_end: 8, image_start: 8, image_tokens: 4, rows: 2, cols: 2 };
  rejectsField({ token_layout: { ...good, rows: undefined } }, /"token_layout\.rows" is missing/);
  rejectsField({ token_layout: { ...good, text_end: 0 } }, /"token_layout\.text_end"/);
  rejectsField({ token_layout: { ...good, image_start: 4 } }, /overlapping text and image token ranges/);
  rejectsField({ token_layout: { ...good, rows: 3 } }, /3x2 grid, more than its 4 image_tokens/);
  rejectsField({ mmlens: { token_layout: { ...good, cols: -2 } } }, /"mmlens\.token_layout\.cols" must be a positive integer/);
});

test('prompt_templates (our models name the template they were trained for): read when valid, refused with the field named when not', () => {
  assert.deepEqual(parseModelConfig({ model_type: 'clip', prompt_templates: ['a {label}'] }).promptTemplates, ['a {label}']);
  assert.equal(parseModelConfig({ model_type: 'clip' }).promptTemplates, undefined);
  for (const bad of [[], ['a label'], 'a {label}', [7], Array(17).fill('a {label}'), ['x'.repeat(200) + '{label}']]) {
    assert.throws(() => parseModelConfig({ model_type: 'clip', prompt_templates: bad }), (e: unknown) => e instanceof LensError && e.kind === 'badModel' && /"prompt_templates" must be a list of 1 to 16 strings/.test(e.message));
  }
});
