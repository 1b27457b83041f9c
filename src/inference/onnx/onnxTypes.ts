/**
 * Plain, typed views of the ONNX messages we read and write. Decoding fills them without protobufjs objects
 * (int64 as numbers, no weight data); the builder and the surgery code write them back.
 */

/** TensorProto.DataType values we name in code (the rest pass through as numbers). */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9,
} as const;

/** One dimension of a shape: a size, a symbolic name (`batch`), or unknown. */
export type Dim = number | string | undefined;

/** A tensor: initializer metadata, a Constant's value, or an initializer to encode (then `raw` holds its bytes). */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Little-endian bytes; when decoded, a view into the model's bytes (no copy). */
  raw?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
}

/** A node attribute; exactly one of the value fields matches `type`. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  /** A GRAPH attribute's GraphProto, undecoded (schema.ts decodeSubgraph reads it). */
  g?: Uint8Array;
}

/** A node to add to a graph (by the builder or by surgery); decoded nodes have the same shape. */
export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** '' (or absent) for the default ai.onnx domain. */
  domain?: string;
  attributes?: OnnxAttribute[];
}

/** A decoded node: name and domain always present. */
export interface OnnxNode extends NodeSpec {
  name: string;
  domain: string;
  attributes: OnnxAttribute[];
}

/** A graph input, output or value_info entry. `shape` undefined: rank unknown. */
export interface OnnxValueInfo {
  name: string;
  elemType?: number;
  shape?: Dim[];
}

/** An opset import: domain '' is ai.onnx. */
export interface OpsetImport {
  domain: string;
  version: number;
}

/** An initializer's metadata. `values` is filled only for small numeric tensors (indices, axes, shapes). */
export interface OnnxInitializerInfo {
  name: string;
  dims: number[];
  dataType: number;
  external: boolean;
  values?: number[];
}

/** The structure of a model: everything but the weight data. */
export interface OnnxGraph {
  name: string;
  irVersion: number;
  producerName: string;
  opsets: OpsetImport[];
  nodes: OnnxNode[];
  /** Graph inputs a caller must feed (inputs that merely name an initializer are left out). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  initializers: OnnxInitializerInfo[];
  /** True when any initializer keeps its data in a file beside the model. */
  usesExternalData: boolean;
  /** The distinct `location` entries of external initializers, relative to the model's folder. */
  externalDataFiles: string[];
}

/** An INT attribute. */
export function intAttr(name: string, value: number): OnnxAttribute {
  return { name, type: AttributeType.INT, i: value };
}

/** A FLOAT attribute. */
export function floatAttr(name: string, value: number): OnnxAttribute {
  return { name, type: AttributeType.FLOAT, f: value };
}

/** An INTS attribute. */
export function intsAttr(name: string, values: number[]): OnnxAttribute {
  return { name, type: AttributeType.INTS, ints: values };
}

/** A STRING attribute (UTF-8). */
export function stringAttr(name: string, value: string): OnnxAttribute {
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
}

/** A TENSOR attribute (the `value` of a Constant node). */
export function tensorAttr(name: string, value: OnnxTensor): OnnxAttribute {
  return { name, type: AttributeType.TENSOR, t: value };
}

/** The attribute called `name`, if the node has it. */
export function findAttribute(node: NodeSpec, name: string): OnnxAttribute | undefined {
  return node.attributes?.find((a) => a.name === name);
}

/** An INT attribute's value, or `fallback` when absent. */
export function intAttribute(node: NodeSpec, name: string, fallback: number): number {
  return findAttribute(node, name)?.i ?? fallback;
}

/** A FLOAT attribute's value, or `fallback` when absent. */
export function floatAttribute(node: NodeSpec, name: string, fallback: number): number {
  return findAttribute(node, name)?.f ?? fallback;
}

/**
 * The numbers in a small tensor (FLOAT, DOUBLE, INT32, INT64, BOOL, UINT8, INT8), from raw_data or the typed
 * fields; undefined for other types. For Constant values and initializer indices, not for weights.
 */
export function tensorValues(tensor: OnnxTensor): number[] | undefined {
  if (!tensor.raw) return tensor.floatData ?? tensor.int64Data ?? tensor.int32Data;
  const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
  const read = rawReaders[tensor.dataType];
  if (!read) return undefined;
  const out: number[] = [];
  for (let at = 0; at + read.size <= view.byteLength; at += read.size) out.push(read.get(view, at));
  return out;
}

const rawReaders: Record<number, { size: number; get: (v: DataView, at: number) => number }> = {
  [DataType.FLOAT]: { size: 4, get: (v, at) => v.getFloat32(at, true) },
  [DataType.DOUBLE]: { size: 8, get: (v, at) => v.getFloat64(at, true) },
  [DataType.INT32]: { size: 4, get: (v, at) => v.getInt32(at, true) },
  [DataType.INT64]: { size: 8, get: (v, at) => Number(v.getBigInt64(at, true)) },
  [DataType.UINT8]: { size: 1, get: (v, at) => v.getUint8(at) },
  [DataType.INT8]: { size: 1, get: (v, at) => v.getInt8(at) },
  [DataType.BOOL]: { size: 1, get: (v, at) => v.getUint8(at) },
};
