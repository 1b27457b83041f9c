/**
 * The part of onnx.proto (proto2) we read and write, as a protobufjs reflection schema. Field numbers follow
 * github.com/onnx/onnx/blob/main/onnx/onnx.proto; enums are plain int32 so unknown values survive.
 *
 * Two families of messages: the full ones for encoding, and "Info" ones for reading a model's structure.
 * ModelInfo/GraphInfo/TensorInfo leave out every field that carries weights (float_data, double_data,
 * sparse initializers), so protobufjs skips those bytes without reading them; raw_data is kept because
 * protobufjs returns it as a view into the input (no copy), which lets small constants be read. A subgraph
 * (an If's branch, a Loop's body) is kept as its undecoded bytes, a view as well: it is decoded only when
 * asked for (schema.ts decodeSubgraph), one level at a time, so an If nested 10^4 deep costs no recursion.
 */
import protobuf from 'protobufjs/light';

type FieldDef = [id: number, type: string, repeated?: 'repeated' | 'packed'];

function message(fields: Record<string, FieldDef>): protobuf.IType {
  const out: Record<string, protobuf.IField> = {};
  for (const [name, [id, type, rule]] of Object.entries(fields)) {
    out[name] = { id, type, ...(rule ? { rule: 'repeated' } : {}), ...(rule === 'packed' ? { options: { packed: true } } : {}) };
  }
  return { fields: out };
}

const tensorMetadata: Record<string, FieldDef> = {
  dims: [1, 'int64', 'repeated'],
  dataType: [2, 'int32'],
  int32Data: [5, 'int32', 'packed'],
  int64Data: [7, 'int64', 'packed'],
  name: [8, 'string'],
  rawData: [9, 'bytes'],
  externalData: [13, 'StringStringEntry', 'repeated'],
  dataLocation: [14, 'int32'],
};

const graphStructure: Record<string, FieldDef> = {
  node: [1, 'Node', 'repeated'],
  name: [2, 'string'],
  input: [11, 'ValueInfo', 'repeated'],
  output: [12, 'ValueInfo', 'repeated'],
  valueInfo: [13, 'ValueInfo', 'repeated'],
};

const modelHeader: Record<string, FieldDef> = {
  irVersion: [1, 'int64'],
  producerName: [2, 'string'],
  opsetImport: [8, 'OperatorSetId', 'repeated'],
};

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        StringStringEntry: message({ key: [1, 'string'], value: [2, 'string'] }),
        OperatorSetId: message({ domain: [1, 'string'], version: [2, 'int64'] }),
        Tensor: message({ ...tensorMetadata, floatData: [4, 'float', 'packed'] }),
        TensorInfo: message(tensorMetadata),
        Attribute: message({
          name: [1, 'string'],
          f: [2, 'float'],
          i: [3, 'int64'],
          s: [4, 'bytes'],
          t: [5, 'Tensor'],
          floats: [7, 'float', 'repeated'],
          ints: [8, 'int64', 'repeated'],
          g: [6, 'bytes'],
          strings: [9, 'bytes', 'repeated'],
          type: [20, 'int32'],
        }),
        Node: message({
          input: [1, 'string', 'repeated'],
          output: [2, 'string', 'repeated'],
          name: [3, 'string'],
          opType: [4, 'string'],
          attribute: [5, 'Attribute', 'repeated'],
          domain: [7, 'string'],
        }),
        Dimension: message({ dimValue: [1, 'int64'], dimParam: [2, 'string'] }),
        TensorShape: message({ dim: [1, 'Dimension', 'repeated'] }),
        TensorTypeProto: message({ elemType: [1, 'int32'], shape: [2, 'TensorShape'] }),
        TypeProto: message({ tensorType: [1, 'TensorTypeProto'] }),
        ValueInfo: message({ name: [1, 'string'], type: [2, 'TypeProto'] }),
        Graph: message({ ...graphStructure, initializer: [5, 'Tensor', 'repeated'] }),
        GraphInfo: message({ ...graphStructure, initializer: [5, 'TensorInfo', 'repeated'] }),
        Model: message({ ...modelHeader, graph: [7, 'Graph'] }),
        ModelInfo: message({ ...modelHeader, graph: [7, 'GraphInfo'] }),
      },
    },
  },
});

/** The reflected message types, by role. */
export const proto = {
  model: root.lookupType('onnx.Model'),
  modelInfo: root.lookupType('onnx.ModelInfo'),
  graph: root.lookupType('onnx.Graph'),
  tensor: root.lookupType('onnx.Tensor'),
  graphInfo: root.lookupType('onnx.GraphInfo'),
  valueInfo: root.lookupType('onnx.ValueInfo'),
};

/**
 * Field numbers written or walked by hand: ModelProto.graph, GraphProto.node / initializer / output,
 * TensorProto.raw_data, NodeProto.output / attribute, AttributeProto.name / g.
 */
export const fieldNumbers = {
  modelGraph: 7, graphNode: 1, graphInitializer: 5, graphOutput: 12, tensorRawData: 9, nodeOutput: 2, nodeAttribute: 5,
  attributeName: 1, attributeGraph: 6,
} as const;
