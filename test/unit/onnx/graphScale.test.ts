// Graphs of unusual size or shape (issue 19 item 5): long Identity chains, thousands of layers, nodes of
// hundreds of thousands of inputs, and attention whose result reaches no output. Each graph is the tiny
// synthetic CLIP vision tower edited here, or a small graph built here; each must load, give the same taps,
// plans and outputs as without the edit, and take time (and graph look-ups) linear in its size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/inference/onnx/graphBuilder';
import { GraphIndex } from '../../../src/inference/onnx/graphIndex';
import { traceGraphFlow } from '../../../src/inference/onnx/graphAnatomy';
import { DataType, intAttr, intsAttr, type OnnxGraph } from '../../../src/inference/onnx/onnxTypes';
import { RankInference } from '../../../src/inference/onnx/rankInference';
import { decodeGraphStructure } from '../../../src/inference/onnx/schema';
import { appendToModel, findProjectionHead, planDenseProjection } from '../../../src/inference/onnx/surgery';
import { findAttentionTaps } from '../../../src/inference/onnx/taps';
import { planValuePath } from '../../../src/inference/onnx/valuePath';
import { readModelStructure } from '../../../src/inference/runtime/onnxStructureFile';
import { TappedGraph } from '../../../src/inference/runtime/tappedGraph';
import { modelAnatomy } from '../../../src/inference/tasks/anatomy';
import { decodeModel, encodeModelMessage, type ModelMessage } from '../../fuzz/onnxMutations';
import { testPixels, writeTinyClip, type TinyClip } from '../../support/tinyClip';

type Node = NonNullable<ModelMessage['graph']>['node'][number];

/** What the load path of a two-tower vision graph computes from its structure (as twoTowerModel.ts does). */
function planGraph(graph: OnnxGraph) {
  const { taps, fusedOperators } = findAttentionTaps(graph);
  const { head, reason } = findProjectionHead(graph, 'image_embeds', 'last_hidden_state');
  assert.ok(head, reason);
  const dense = planDenseProjection(graph, 'image_embeds', 'last_hidden_state');
  const value = planValuePath(graph, taps, head, 'last_hidden_state', 'maskclip');
  assert.ok(dense.plan, dense.reason);
  assert.ok(value.plan, value.reason);
  const flow = traceGraphFlow(graph, taps, fusedOperators, () => 'vision');
  return { taps, fusedOperators, dense: dense.plan, value: value.plan, flow };
}

/** Runs the vision graph with its taps, the dense projection and the value path (MaskCLIP) added; outputs by name. */
async function runPlanned(bytes: Uint8Array, plan: ReturnType<typeof planGraph>, clip: TinyClip): Promise<Record<string, Float32Array>> {
  const outputs = [...plan.taps.map((t) => t.tensor), plan.dense.output, plan.value.output];
  const session = await ort.InferenceSession.create(appendToModel(bytes, { outputs, nodes: [...plan.dense.nodes, ...plan.value.nodes] }));
  const size = clip.options.imageSize;
  try {
    const out = await session.run({ pixel_values: new ort.Tensor('float32', testPixels(1, size), [1, 3, size, size]) });
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function assertSameOutputs(actual: Record<string, Float32Array>, expected: Record<string, Float32Array>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected)) {
    assert.equal(actual[name].length, values.length, name);
    values.forEach((v, i) => assert.ok(Math.abs(actual[name][i] - v) <= 1e-5, `${name}[${i}]: ${actual[name][i]} vs ${v}`));
  }
}

/** Makes every node that reads `tensor` read it through `length` Identity nodes instead (graph outputs keep it). */
function insertIdentityChain(model: ModelMessage, tensor: string, length: number, tag: string): void {
  const nodes = model.graph!.node;
  const end = `${tag}_${length}`;
  const at = nodes.findIndex((n) => n.input.includes(tensor));
  assert.ok(at >= 0, `nothing reads ${tensor}`);
  for (const node of nodes) node.input = node.input.map((t) => (t === tensor ? end : t));
  const chain: Node[] = Array.from({ length }, (_, i) => ({
    input: [i === 0 ? tensor : `${tag}_${i}`], output: [`${tag}_${i + 1}`], name: `${tag}/identity_${i}`, opType: 'Identity', attribute: [],
  }));
  // Concatenated, not spliced: nodes stay in topological order, and 60,000 arguments are not spread into a call.
  model.graph!.node = nodes.slice(0, at).concat(chain, nodes.slice(at));
}

/** The Softmax nodes of the tower, and the nodes that make and read their tensors. */
function attentionNodes(model: ModelMessage) {
  const nodes = model.graph!.node;
  return nodes.filter((n) => n.opType === 'Softmax').map((softmax) => ({
    softmax,
    scores: nodes.find((n) => n.output.includes(softmax.input[0]))!,
    values: nodes.find((n) => n.opType === 'MatMul' && n.input[0] === softmax.output[0])!,
  }));
}

/** Counts GraphIndex look-ups (producers and consumers) while `run` runs: the work of the graph tools. */
function countLookups(run: () => void): number {
  const proto = GraphIndex.prototype;
  const { producerOf, consumersOf } = proto;
  let calls = 0;
  proto.producerOf = function counted(this: GraphIndex, tensor: string) {
    calls++;
    return producerOf.call(this, tensor);
  };
  proto.consumersOf = function counted(this: GraphIndex, tensor: string) {
    calls++;
    return consumersOf.call(this, tensor);
  };
  try {
    run();
  } finally {
    proto.producerOf = producerOf;
    proto.consumersOf = consumersOf;
  }
  return calls;
}

test('an Identity chain between two ops of a tower costs look-ups linear in its length (it cost its length per node)', () => {
  const clip = writeTinyClip();
  try {
    const lookups = (length: number) => {
      const model = decodeModel(clip.towerBytes('vision'));
      if (length > 0) insertIdentityChain(model, 'last_hidden_state', length, 'chain');
      const graph = decodeGraphStructure(encodeModelMessage(model));
      return countLookups(() => planGraph(graph));
    };
    const [none, single, double] = [lookups(0), lookups(3_000), lookups(6_000)];
    // Linear: the second 3,000 nodes cost what the first did. The quadratic walk cost three times as much.
    const first = single - none;
    const second = double - single;
    assert.ok(second < 1.5 * first, `look-ups: ${none} without the chain, ${single} with 3,000 nodes, ${double} with 6,000`);
  } finally {
    clip.remove();
  }
});

test('a chain of 60,000 Identity nodes loads and gives the taps, plans and outputs of the tower without it', { timeout: 60_000 }, async () => {
  const clip = writeTinyClip();
  try {
    const plain = clip.towerBytes('vision');
    const expected = planGraph(decodeGraphStructure(plain));
    const model = decodeModel(plain);
    insertIdentityChain(model, 'last_hidden_state', 60_000, 'chain');
    const file = join(clip.dir, 'onnx', 'chained.onnx');
    writeFileSync(file, encodeModelMessage(model));

    const loaded = await TappedGraph.load(file);
    const planned = planGraph(loaded.graph);
    assert.equal(loaded.graph.nodes.length, decodeGraphStructure(plain).nodes.length + 60_000);
    assert.deepEqual(loaded.taps, expected.taps);
    assert.deepEqual(planned.taps, expected.taps);
    assert.deepEqual(planned.flow, expected.flow);
    // The CLS token is selected from the end of the chain, which equals last_hidden_state.
    assert.equal(planned.dense.hiddenState, 'chain_60000');
    assert.equal(planned.dense.output, expected.dense.output);
    assert.equal(planned.value.output, expected.value.output);
    // 1.5 s here (the test's timeout is the hang guard); the quadratic walk took 230 s for each of the two projection-head searches of a load.
    assertSameOutputs(await runPlanned(encodeModelMessage(model), planned, clip), await runPlanned(plain, expected, clip));
  } finally {
    clip.remove();
  }
});

test('Identity chains between the scores and the Softmax, and between the Softmax and the values, keep every tap', async () => {
  const clip = writeTinyClip();
  try {
    const plain = clip.towerBytes('vision');
    const expected = planGraph(decodeGraphStructure(plain));
    const model = decodeModel(plain);
    const [first, last] = attentionNodes(model);
    insertIdentityChain(model, first.softmax.input[0], 5_000, 'scores_chain');
    insertIdentityChain(model, last.softmax.output[0], 5_000, 'probs_chain');
    const bytes = encodeModelMessage(model);
    const planned = planGraph(decodeGraphStructure(bytes));
    // Identity nodes are aliases: they do not count towards the few steps the tap search allows.
    assert.deepEqual(planned.taps, expected.taps);
    assert.deepEqual(planned.flow, expected.flow);
    assertSameOutputs(await runPlanned(bytes, planned, clip), await runPlanned(plain, expected, clip));
  } finally {
    clip.remove();
  }
});

test('an opset-11 Softmax with axis 3 after 1,000 Identity nodes is still known to cover the last axis', () => {
  // Before opset 13 the axis must be compared with the rank, which is found 1,000 nodes back.
  const g = new GraphBuilder({ opset: 11 });
  const x = g.input('x', DataType.FLOAT, [1, 2, 3, 4]);
  let scores = g.op('MatMul', [x, g.op('Transpose', [x], [intsAttr('perm', [0, 1, 3, 2])])]);
  for (let i = 0; i < 1_000; i++) scores = g.op('Identity', [scores]);
  const probs = g.op('Softmax', [scores], [intAttr('axis', 3)]);
  g.op('MatMul', [probs, x], undefined, 'context');
  g.output('context');
  const graph = decodeGraphStructure(g.toBytes());
  assert.equal(new RankInference(new GraphIndex(graph)).rank(scores), 4);
  assert.deepEqual(findAttentionTaps(graph).taps.map((t) => t.tensor), [probs]);
});

test('a node of 200,000 inputs is indexed, walked and planned (spreading its inputs into push() overflowed the stack)', async () => {
  const clip = writeTinyClip();
  try {
    const plain = clip.towerBytes('vision');
    const expected = planGraph(decodeGraphStructure(plain));
    const model = decodeModel(plain);
    // Max(h, h, ..., h) = h, in the residual stream after the pre-LayerNorm.
    const preNorm = model.graph!.node.find((n) => n.input.includes('pre_layrnorm.weight'))!.output[0];
    const readers = model.graph!.node.filter((n) => n.input.includes(preNorm));
    for (const node of readers) node.input = node.input.map((t) => (t === preNorm ? 'wide_max' : t));
    const at = model.graph!.node.indexOf(readers[0]);
    model.graph!.node.splice(at, 0, { input: new Array<string>(200_000).fill(preNorm), output: ['wide_max'], name: 'wide_max', opType: 'Max', attribute: [] });
    const bytes = encodeModelMessage(model);
    const graph = decodeGraphStructure(bytes);
    const planned = planGraph(graph);
    assert.deepEqual(planned.taps, expected.taps);
    assert.deepEqual(planned.flow, expected.flow);
    assert.equal(new RankInference(new GraphIndex(graph)).rank('wide_max'), 3);
    assertSameOutputs(await runPlanned(bytes, planned, clip), await runPlanned(plain, expected, clip));
  } finally {
    clip.remove();
  }
});

test('a tower of 2,000 attention layers, read window by window, loads with 2,000 taps and reports 2,000 layers', { timeout: 120_000 }, async () => {
  const layers = 2_000;
  const clip = writeTinyClip({ layers, textLayers: 1, width: 16, heads: 2, imageSize: 16, patchSize: 8 });
  try {
    const file = join(clip.dir, 'onnx', 'vision_model.onnx');
    // Over the 8 MiB read whole: the structure is read field by field, as for a real model.
    assert.ok(statSync(file).size > 8 << 20, `${statSync(file).size} bytes`);
    assert.ok((await readModelStructure(file)).length < statSync(file).size * 0.6);
    const vision = await TappedGraph.load(file);
    assert.equal(vision.taps.length, layers);
    assert.deepEqual(vision.taps.map((t) => t.layer), [...Array(layers).keys()]);
    const planned = planGraph(vision.graph);
    assert.equal(planned.flow.sites.length, layers);
    assert.ok(planned.flow.sites.every((s) => s.observable && s.queries.join() === 'pixel_values' && s.keys.join() === 'pixel_values'));
    const anatomy = modelAnatomy([['vision', vision]], { vision: clip.visionTokens });
    assert.equal(anatomy.layers.length, layers);
    assert.equal(anatomy.observable, true);
    // onnxruntime runs the tapped tower and every tap holds probabilities.
    const outputs = await runPlanned(clip.towerBytes('vision'), planned, clip);
    const tokens = clip.visionTokens;
    for (const tap of [vision.taps[0], vision.taps[layers - 1]]) {
      const probs = outputs[tap.tensor];
      assert.equal(probs.length, clip.options.heads * tokens * tokens);
      for (let row = 0; row < probs.length; row += tokens) assert.ok(Math.abs(probs.subarray(row, row + tokens).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
  } finally {
    clip.remove();
  }
});

test('5,000 dead-end Softmax -> MatMul pairs are not layers: only attention a graph output depends on counts', async () => {
  const clip = writeTinyClip();
  try {
    const plain = clip.towerBytes('vision');
    const expected = planGraph(decodeGraphStructure(plain));
    const model = decodeModel(plain);
    const [first] = attentionNodes(model);
    const dead: Node[] = [];
    for (let i = 0; i < 5_000; i++) {
      // The same scores and values as layer 0, through a Softmax whose result reaches no output.
      dead.push(
        { ...first.scores, input: [...first.scores.input], output: [`dead_scores_${i}`], name: `dead_scores_${i}`, attribute: [] },
        { ...first.softmax, input: [`dead_scores_${i}`], output: [`dead_probs_${i}`], name: `dead_softmax_${i}`, attribute: [...first.softmax.attribute] },
        { ...first.values, input: [`dead_probs_${i}`, first.values.input[1]], output: [`dead_context_${i}`], name: `dead_context_${i}`, attribute: [] },
      );
    }
    // A dead fused operator is no layer either, and hides nothing.
    dead.push({ input: [first.scores.input[0], first.scores.input[0], first.scores.input[0]], output: ['dead_fused'], name: 'dead_fused', opType: 'MultiHeadAttention', domain: 'com.microsoft', attribute: [] });
    model.graph!.node = model.graph!.node.concat(dead);
    const graph = decodeGraphStructure(encodeModelMessage(model));
    const scan = findAttentionTaps(graph);
    assert.deepEqual(scan, { taps: expected.taps, pooling: [], fusedOperators: [] });
    assert.equal(modelAnatomy([['vision', { graph, ...scan }]], {}).layers.length, 2);
    assert.deepEqual(traceGraphFlow(graph, scan.taps, ['MultiHeadAttention'], () => 'vision'), expected.flow);

    // Probabilities that are themselves a graph output (an export with output_attentions) do count.
    model.graph!.output.push({ name: 'dead_probs_7' });
    const withOutput = findAttentionTaps(decodeGraphStructure(encodeModelMessage(model)));
    assert.deepEqual(withOutput.taps.map((t) => t.tensor).sort(), [...expected.taps.map((t) => t.tensor), 'dead_probs_7'].sort());
  } finally {
    clip.remove();
  }
});
