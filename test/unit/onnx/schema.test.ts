// The ONNX schema: attributes and shapes survive a round trip, an appended tail is merged into the graph,
// weights are neither copied on decode nor altered by the chunked encoder, external data is noticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../../src/inference/onnx/graphBuilder';
import {
  AttributeType, DataType, floatAttr, intAttr, intsAttr, stringAttr, tensorAttr, type OnnxAttribute,
} from '../../../src/inference/onnx/onnxTypes';
import { decodeGraphStructure, encodeModel } from '../../../src/inference/onnx/schema';
import { appendToModel } from '../../../src/inference/onnx/surgery';
import { proto } from '../../../src/inference/onnx/protoSchema';

const utf8 = (s: string) => new TextEncoder().encode(s);

test('attributes of every kind survive encode and decode', () => {
  const attributes: OnnxAttribute[] = [
    floatAttr('f', -2.25),
    intAttr('negative', -1),
    intAttr('large', 2 ** 40 + 3),
    stringAttr('s', 'mode: ü'),
    tensorAttr('t', { name: 'k', dims: [2], dataType: DataType.INT64, int64Data: [-7, 2 ** 33] }),
    { name: 'floats', type: AttributeType.FLOATS, floats: [0.5, -1.75, 3] },
    intsAttr('ints', [0, -2, 2 ** 35]),
    { name: 'strings', type: AttributeType.STRINGS, strings: [utf8('a'), utf8('bc')] },
  ];
  const g = new GraphBuilder();
  const x = g.input('x', DataType.FLOAT, ['batch', 3]);
  g.node('Custom', [x, ''], { outputs: ['y', 'z'], attributes, domain: 'test.domain', name: 'custom' });
  g.output('y', DataType.FLOAT, ['batch', undefined, 3]);
  g.output('z', DataType.INT64);
  const graph = decodeGraphStructure(g.toBytes());
  assert.deepEqual(graph.nodes, [{ name: 'custom', opType: 'Custom', domain: 'test.domain', inputs: ['x', ''], outputs: ['y', 'z'], attributes }]);
  assert.deepEqual(graph.inputs, [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 3] }]);
  assert.deepEqual(graph.outputs, [
    { name: 'y', elemType: DataType.FLOAT, shape: ['batch', undefined, 3] },
    { name: 'z', elemType: DataType.INT64 },
  ]);
  assert.deepEqual(graph.opsets, [{ domain: '', version: 17 }]);
  assert.equal(graph.irVersion, 8);
});

test('an appended tail adds nodes and outputs; the original graph stays whole', () => {
  const g = new GraphBuilder({ name: 'original' });
  const x = g.input('x', DataType.FLOAT, [2, 2]);
  const h = g.op('MatMul', [x, g.floatInitializer('w', new Float32Array([1, 2, 3, 4]), [2, 2])]);
  g.output(g.op('Relu', [h], undefined, 'y'));
  const tailed = appendToModel(g.toBytes(), {
    outputs: [h, { name: 'count' }],
    nodes: [{ opType: 'Shape', inputs: [h], outputs: ['count'], name: 'appended' }],
  });
  const graph = decodeGraphStructure(tailed);
  assert.equal(graph.name, 'original');
  assert.deepEqual(graph.nodes.map((n) => n.opType), ['MatMul', 'Relu', 'Shape']);
  assert.deepEqual(graph.outputs.map((o) => [o.name, o.elemType]), [['y', DataType.FLOAT], [h, DataType.FLOAT], ['count', undefined]]);
  assert.deepEqual(graph.initializers, [{ name: 'w', dims: [2, 2], dataType: DataType.FLOAT, external: false, values: [1, 2, 3, 4] }]);
  assert.deepEqual(graph.inputs.map((i) => i.name), ['x']);
});

test('chunked encoding keeps initializer bytes exact; decoding reads raw data in place', () => {
  const weights = Float32Array.from({ length: 1000 }, (_, i) => i / 7 - 3);
  const g = new GraphBuilder();
  const x = g.input('x', DataType.FLOAT, [1, 1000]);
  const k = g.op('Constant', [], [tensorAttr('value', { name: '', dims: [2], dataType: DataType.INT64, raw: new Uint8Array(BigInt64Array.from([5n, -6n]).buffer) })]);
  g.output(g.op('Add', [x, g.floatInitializer('w', weights, [1, 1000])], undefined, 'y'));
  g.output(k, DataType.INT64);
  const bytes = g.toBytes();
  // protobufjs's full TensorProto decoder, independent of the hand-written chunk prefixes.
  const full = proto.model.decode(bytes) as unknown as { graph: { initializer: { name: string; rawData: Uint8Array }[] } };
  const raw = full.graph.initializer[0].rawData;
  assert.equal(full.graph.initializer[0].name, 'w');
  assert.deepEqual(new Float32Array(Uint8Array.from(raw).buffer), weights);
  const graph = decodeGraphStructure(bytes);
  const constant = graph.nodes[0].attributes[0].t!;
  assert.equal(constant.raw!.buffer, bytes.buffer, 'raw_data is a view into the model bytes');
  assert.deepEqual(graph.initializers[0].values, undefined, 'large initializers are not read');
});

test('initializers kept in external files are reported with their files', () => {
  const external = (name: string, location: string) => ({
    name, dims: [4], dataType: DataType.FLOAT, dataLocation: 1,
    externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }],
  });
  const bytes = proto.model.encode({
    irVersion: 8,
    graph: { name: 'g', initializer: [external('a', 'weights.bin'), external('b', 'weights.bin'), { name: 'c', dims: [1], dataType: 1, rawData: new Uint8Array(4) }] },
  }).finish();
  const graph = decodeGraphStructure(bytes);
  assert.equal(graph.usesExternalData, true);
  assert.deepEqual(graph.externalDataFiles, ['weights.bin']);
  assert.deepEqual(graph.initializers.map((i) => i.external), [true, true, false]);
  assert.equal(decodeGraphStructure(encodeModel({ graph: { nodes: [], outputs: [] } })).usesExternalData, false);
});
