// Show Model Anatomy's document: a readable summary, then the whole inspect result as JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InspectResult } from '../../../src/inference/tasks/inspect';
import { anatomyMarkdown } from '../../../src/shared/anatomyMarkdown';

const tap = (tower: 'vision' | 'text', layer: number, keys: number) => ({ tower, layer, heads: 4, queries: keys, keys });
const result: InspectResult = {
  schemaVersion: 1,
  model: { name: 'tiny|clip', dir: '/m/tiny', architecture: 'twoTower', executionProvider: 'cpu', notices: ['assumed logit scale 100'] },
  graphs: [
    { tower: 'vision', file: 'onnx/vision_model.onnx', inputs: [{ name: 'pixel_values', type: 1, shape: ['batch', 3, 32, 32] }], outputs: [], fusedOperators: [] },
    { tower: 'text', file: 'onnx/text_model.onnx', inputs: [{ name: 'input_ids', type: 7, shape: [null, 16] }], outputs: [], fusedOperators: ['Attention'] },
  ],
  taps: [tap('vision', 0, 17), tap('vision', 1, 17), tap('text', 0, 16)],
  grid: { rows: 4, cols: 4, clsIndex: 0, firstPatch: 1 },
  denseProjection: { available: false, reason: 'no projection found' },
  architectureGuess: 'Two-tower (dual encoder).',
  anatomy: { family: 'twoTower', description: 'Separate towers.', inputs: [], layers: [], sums: [], tokens: {}, observable: false, fusedOperators: ['Attention'] },
};

test('the summary names the model, each graph, the taps per tower and the notices', () => {
  const lines = anatomyMarkdown(result).split('\n');
  assert.equal(lines[0], '# Model anatomy: tiny|clip');
  assert.ok(lines.includes('Architecture: twoTower, execution provider: cpu, patch grid 4 x 4'));
  assert.ok(lines.includes('## Fusion family: twoTower'));
  assert.ok(lines.includes('| vision | onnx/vision_model.onnx | pixel_values [batch, 3, 32, 32] | 0 | none |'));
  assert.ok(lines.includes('| text | onnx/text_model.onnx | input_ids [?, 16] | 0 | Attention |'));
  assert.ok(lines.includes('- vision: 2 attention layers (4 heads, 17 x 17)'));
  assert.ok(lines.includes('- text: 1 attention layer (4 heads, 16 x 16)'));
  assert.ok(lines.includes('Dense projection (value-path alignment): unavailable, no projection found'));
  assert.ok(lines.includes('- assumed logit scale 100'));
});

test('a | in a table cell is escaped so the table keeps its columns', () => {
  const piped = { ...result, graphs: [{ ...result.graphs[0], file: 'a|b.onnx' }] };
  assert.ok(anatomyMarkdown(piped).includes('| vision | a\\|b.onnx |'));
});

test('the JSON block holds the whole result', () => {
  const text = anatomyMarkdown(result);
  const json = text.slice(text.indexOf('```json\n') + 8, text.lastIndexOf('\n```'));
  assert.deepEqual(JSON.parse(json), result);
});

test('a model without taps says attention is not observable', () => {
  assert.ok(anatomyMarkdown({ ...result, taps: [], model: { ...result.model, notices: [] } }).includes('None: attention is not observable in this model.'));
});
