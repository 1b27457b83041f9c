// Model anatomy from the graph alone: the synthetic two-tower CLIP, the synthetic single-stream model, and small
// graphs built here whose wiring is known by construction (cross-attention, co-attention, hierarchical, early
// summation), each checked for the inputs behind every layer's queries and keys and for the fusion family.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { modelAnatomy, type AnatomyGraph } from '../../../src/inference/tasks/anatomy';
import { GraphBuilder } from '../../../src/inference/onnx/graphBuilder';
import { DataType, intAttr, intsAttr } from '../../../src/inference/onnx/onnxTypes';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';
import { writeTinyClip, type TinyClip } from '../../support/tinyClip';
import { writeTinyFusion, type TinyFusion } from '../../support/tinyFusion';

const D = 4;
let clip: TinyClip;
let fusion: TinyFusion;

before(() => {
  clip = writeTinyClip();
  fusion = writeTinyFusion({ imageCls: true, attentionLayout: '3d' });
});
after(() => {
  clip.remove();
  fusion.remove();
});

/** A graph builder with text tokens (from input_ids and a key padding mask) and image tokens (from pixel_values), both [1, T, D]. */
function inputsGraph() {
  const g = new GraphBuilder();
  const weight = (name: string, dims: number[]) => g.floatInitializer(name, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1), dims);
  const ids = g.input('input_ids', DataType.INT64, [1, 3]);
  const mask = g.input('attention_mask', DataType.INT64, [1, 3]);
  const pixels = g.input('pixel_values', DataType.FLOAT, [1, D, 2, 2]);
  const text = g.op('Add', [g.op('Gather', [weight('table', [10, D]), ids]), weight('text_pos', [3, D])]);
  const patches = g.op('Transpose', [g.op('Reshape', [pixels, g.int64Initializer('flat', [1, D, 4])])], [intsAttr('perm', [0, 2, 1])]);
  // A mask built from Shape(pixel_values) and attention_mask: added to scores, it must not count as queries or keys.
  const padding = g.op('Unsqueeze', [g.op('Cast', [mask], [intAttr('to', DataType.FLOAT)]), g.int64Initializer('axes', [1])]);
  /** One attention block: queries from `x`, keys and values from `y`; returns x + attention. */
  const attend = (x: string, y: string, masked = false) => {
    const q = g.op('MatMul', [x, weight('wq', [D, D])]);
    const kT = g.op('Transpose', [g.op('MatMul', [y, weight('wk', [D, D])])], [intsAttr('perm', [0, 2, 1])]);
    let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.floatInitializer('scale', new Float32Array([0.5]), [])]);
    if (masked) scores = g.op('Add', [scores, padding]);
    const probs = g.op('Softmax', [scores], [intAttr('axis', -1)]);
    return g.op('Add', [x, g.op('MatMul', [probs, g.op('MatMul', [y, weight('wv', [D, D])])])]);
  };
  return { g, text, patches, attend };
}

function anatomyOf(g: GraphBuilder) {
  const graph = decodeGraphStructure(g.toBytes());
  const scan = findAttentionTaps(graph);
  return modelAnatomy([['joint', { graph, ...scan }]], { vision: 4, text: 3 });
}

const layerSides = (a: ReturnType<typeof anatomyOf>) => a.layers.map((l) => [l.kind, l.queries, l.keys]);

test('the synthetic CLIP is two-tower: every vision layer reads pixels, every text layer token ids', async () => {
  const towers: [('vision' | 'text'), AnatomyGraph][] = [
    ['vision', await TappedGraph.load(join(clip.dir, 'onnx', 'vision_model.onnx'))],
    ['text', await TappedGraph.load(join(clip.dir, 'onnx', 'text_model.onnx'))],
  ];
  const anatomy = modelAnatomy(towers, { vision: clip.visionTokens, text: 16 });
  assert.equal(anatomy.family, 'twoTower');
  assert.deepEqual(anatomy.layers.map((l) => [l.tower, l.layer, l.kind, l.queries, l.keys, l.observable]), [
    ['vision', 0, 'vision', ['pixel_values'], ['pixel_values'], true],
    ['vision', 1, 'vision', ['pixel_values'], ['pixel_values'], true],
    ['text', 0, 'text', ['input_ids'], ['input_ids'], true],
    ['text', 1, 'text', ['input_ids'], ['input_ids'], true],
  ]);
  assert.deepEqual(anatomy.inputs, [{ tower: 'vision', name: 'pixel_values', modality: 'vision' }, { tower: 'text', name: 'input_ids', modality: 'text' }]);
  assert.deepEqual(anatomy.tokens, { vision: clip.visionTokens, text: 16 });
  assert.equal(anatomy.observable, true);
  assert.deepEqual(anatomy.sums, []);
  assert.match(anatomy.description, /^Two-tower \(dual encoder\): 2 vision-only and 2 text-only attention layers/);
});

test('fused attention still shows its inputs but is not observable', async () => {
  const fused = writeTinyClip({ fusedAttention: true });
  try {
    const vision = await TappedGraph.load(join(fused.dir, 'onnx', 'vision_model.onnx'));
    const text = await TappedGraph.load(join(fused.dir, 'onnx', 'text_model.onnx'));
    const anatomy = modelAnatomy([['vision', vision], ['text', text]], {});
    assert.equal(anatomy.family, 'twoTower');
    assert.deepEqual(anatomy.layers.map((l) => [l.tower, l.kind, l.observable]), [['vision', 'vision', false], ['vision', 'vision', false], ['text', 'text', false], ['text', 'text', false]]);
    assert.equal(anatomy.observable, false);
    assert.deepEqual(anatomy.fusedOperators.sort(), ['Attention', 'MultiHeadAttention']);
  } finally {
    fused.remove();
  }
});

test('the synthetic single-stream model is early concatenation: every layer is joint; the padding mask reaches only later layers', async () => {
  const joint = await TappedGraph.load(join(fusion.dir, 'onnx', 'model.onnx'));
  const anatomy = modelAnatomy([['joint', joint]], { vision: fusion.imageTokens, text: 8, joint: fusion.tokens });
  assert.equal(anatomy.family, 'singleStream');
  // The mask is added to the scores of layer 0, after its queries and keys: only layer 1's inputs carry it.
  const both = ['input_ids', 'pixel_values'];
  const masked = ['input_ids', 'attention_mask', 'pixel_values'];
  assert.deepEqual(anatomy.layers.map((l) => [l.kind, l.queries, l.keys]), [['joint', both, both], ['joint', masked, masked]]);
  assert.deepEqual(anatomy.sums, []);
  assert.match(anatomy.description, /^Single-stream \(early concatenation\).*all 2 layers/);
});

test('queries from text and keys from the image after unimodal layers: hierarchical cross-attention', () => {
  const { g, text, patches, attend } = inputsGraph();
  const t = attend(text, text, true);
  const v = attend(patches, patches);
  g.output(attend(t, v));
  const anatomy = anatomyOf(g);
  // The masked text layer's output carries attention_mask into the cross layer's queries.
  assert.deepEqual(layerSides(anatomy), [
    ['text', ['input_ids'], ['input_ids']],
    ['vision', ['pixel_values'], ['pixel_values']],
    ['cross', ['input_ids', 'attention_mask'], ['pixel_values']],
  ]);
  assert.equal(anatomy.family, 'crossAttention');
  assert.match(anatomy.description, /^Cross-attention in 1 layer: queries from input_ids \+ attention_mask, keys from pixel_values, after 1 vision-only and 1 text-only layers \(hierarchical\)\.$/);
});

test('cross-attention both ways is co-attention', () => {
  const { g, text, patches, attend } = inputsGraph();
  g.output(attend(text, patches));
  g.output(attend(patches, text));
  const anatomy = anatomyOf(g);
  assert.deepEqual(anatomy.layers.map((l) => l.kind), ['cross', 'cross']);
  assert.equal(anatomy.family, 'crossAttention');
  assert.match(anatomy.description, /^Co-attention \(cross-attention both ways\) in 2 layers: queries from input_ids, keys from pixel_values; queries from pixel_values, keys from input_ids\.$/);
});

test('a text stream that alternates self-attention with one-way cross-attention to the image (BLIP) concatenates nothing', () => {
  const { g, text, patches, attend } = inputsGraph();
  const v = attend(patches, patches);
  // Layer by layer: the text attends to itself, then to the image; after the first, its tokens carry the image too.
  const first = attend(attend(text, text, true), v);
  g.output(attend(attend(first, first, true), v));
  const anatomy = anatomyOf(g);
  assert.deepEqual(anatomy.layers.map((l) => [l.kind, l.stream ?? '']), [['vision', ''], ['text', ''], ['cross', ''], ['text', 'text'], ['cross', '']]);
  assert.equal(anatomy.family, 'crossAttention');
  assert.equal(anatomy.description, 'Cross-attention in 2 layers: queries from input_ids + attention_mask, keys from pixel_values, each after a self-attention layer of the text stream; 1 vision-only and 2 text-only layers in all, no tokens concatenated.');
});

test('Hugging Face\'s BlipForImageTextRetrieval (test/fixtures/hf-blip) reads as one-way cross-attention from text to image', async () => {
  const graph = await TappedGraph.load(join(__dirname, '../../fixtures/hf-blip/onnx/model.onnx'));
  const anatomy = modelAnatomy([['joint', graph]], { vision: 17, text: 8 });
  assert.deepEqual(anatomy.layers.map((l) => l.kind), ['vision', 'vision', 'text', 'cross', 'text', 'cross']);
  assert.equal(anatomy.description, 'Cross-attention in 2 layers: queries from input_ids + attention_mask, keys from pixel_values, each after a self-attention layer of the text stream; 2 vision-only and 2 text-only layers in all, no tokens concatenated.');
});

test('unimodal layers, then attention over the concatenated tokens: hierarchical (multi-stream to one-stream)', () => {
  const { g, text, patches, attend } = inputsGraph();
  const joint = g.op('Concat', [attend(text, text), attend(patches, patches)], [intAttr('axis', 1)]);
  g.output(attend(attend(joint, joint), joint));
  const anatomy = anatomyOf(g);
  assert.deepEqual(anatomy.layers.map((l) => l.kind), ['text', 'vision', 'joint', 'joint']);
  assert.equal(anatomy.family, 'hierarchical');
  assert.match(anatomy.description, /1 vision-only and 1 text-only layers first, then 2 joint layers over/);
});

test('image and text embeddings added before the first layer: early summation', () => {
  const { g, text, patches, attend } = inputsGraph();
  const firstThree = g.op('Slice', [patches, g.int64Initializer('starts', [0]), g.int64Initializer('ends', [3]), g.int64Initializer('axes1', [1])]);
  const summed = g.node('Add', [text, firstThree], { name: 'embeddings_sum' })[0];
  g.output(attend(summed, summed, true));
  const anatomy = anatomyOf(g);
  assert.equal(anatomy.family, 'earlySummation');
  assert.deepEqual(anatomy.sums, [{ tower: 'joint', node: 'embeddings_sum', operands: [['input_ids'], ['pixel_values']] }]);
  assert.deepEqual(layerSides(anatomy), [['joint', ['input_ids', 'pixel_values'], ['input_ids', 'pixel_values']]]);
  assert.match(anatomy.description, /^Early summation: image and text embeddings are added \(embeddings_sum\)/);
});

test('an attention residual that adds text to a cross-attended result is not early summation', () => {
  const { g, text, patches, attend } = inputsGraph();
  // x + attention(x, patches): the residual Add sums a text tensor with a text+image one, after attention.
  g.output(g.op('Add', [attend(text, patches), text]));
  const anatomy = anatomyOf(g);
  assert.deepEqual(anatomy.sums, []);
  assert.equal(anatomy.family, 'crossAttention');
});
