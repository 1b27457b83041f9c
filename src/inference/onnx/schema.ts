/**
 * Reading a model's structure and writing models, on top of the reflection schema in protoSchema.ts.
 * Both directions avoid touching weight bytes one number at a time: decoding skips them, encoding
 * references the caller's buffers and writes the few length prefixes around them by hand.
 */
import protobuf from 'protobufjs/light';
import { fieldNumbers, proto } from './protoSchema';
import {
  type Dim, type NodeSpec, type OnnxAttribute, type OnnxGraph, type OnnxInitializerInfo, type OnnxNode,
  type OnnxTensor, type OnnxValueInfo, type OpsetImport, tensorValues,
} from './onnxTypes';

/** A graph to encode. Initializers should carry `raw` (little-endian bytes) so their data is not copied. */
export interface GraphSpec {
  name?: string;
  nodes: NodeSpec[];
  inputs?: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
  initializers?: OnnxTensor[];
}

/** A model to encode; header fields left out are not written (what an appended tail needs). */
export interface ModelSpec {
  irVersion?: number;
  producerName?: string;
  opsets?: OpsetImport[];
  graph: GraphSpec;
}

/** Initializers with at most this many elements get their values decoded (indices, axes, shapes). */
const smallTensorElements = 64;

/** The largest message protobuf parsers accept. */
const protobufLimit = 2 ** 31 - 1;

/**
 * Decodes a model's structure without reading its weights: nodes, inputs, outputs, value_info, opsets,
 * initializer names and dims. Cheap for a 350 MB file (no copy of the data). Repeated graph fields that
 * occur in several concatenated ModelProto chunks are merged, as protobuf parsers do.
 */
export function decodeGraphStructure(bytes: Uint8Array): OnnxGraph {
  const model = proto.modelInfo.decode(bytes) as unknown as RawModel;
  const header = {
    irVersion: toNumber(model.irVersion ?? 0),
    producerName: model.producerName ?? '',
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version ?? 0) })),
  };
  return toGraph(model.graph ?? {}, header);
}

/**
 * One subgraph (a GRAPH attribute's bytes, OnnxAttribute.g) with the enclosing model's header, so that its opsets
 * are known. Names it reads from the enclosing graphs are neither its inputs nor its initializers.
 */
export function decodeSubgraph(bytes: Uint8Array, parent: Pick<OnnxGraph, 'irVersion' | 'producerName' | 'opsets'>): OnnxGraph {
  const { irVersion, producerName, opsets } = parent;
  return toGraph(proto.graphInfo.decode(bytes) as unknown as RawGraph, { irVersion, producerName, opsets });
}

function toGraph(graph: RawGraph, header: Pick<OnnxGraph, 'irVersion' | 'producerName' | 'opsets'>): OnnxGraph {
  const initializers = (graph.initializer ?? []).map(toInitializerInfo);
  const initializerNames = new Set(initializers.map((i) => i.name));
  const external = (graph.initializer ?? []).filter((t) => t.dataLocation === 1);
  const locations = external.flatMap((t) => (t.externalData ?? []).filter((e) => e.key === 'location').map((e) => e.value));
  return {
    name: graph.name ?? '',
    ...header,
    nodes: (graph.node ?? []).map(toNode),
    inputs: (graph.input ?? []).map(toValueInfo).filter((v) => !initializerNames.has(v.name)),
    outputs: (graph.output ?? []).map(toValueInfo),
    valueInfo: (graph.valueInfo ?? []).map(toValueInfo),
    initializers,
    usesExternalData: external.length > 0,
    externalDataFiles: [...new Set(locations)],
  };
}

/** Encodes a model into one buffer (a single copy of the weights). */
export function encodeModel(model: ModelSpec): Uint8Array {
  return Buffer.concat(encodeModelChunks(model));
}

/**
 * Encodes a model as a list of byte chunks whose concatenation is the model file. Initializer data is
 * not copied: each `raw` buffer is one of the chunks, so a caller can stream the chunks to a file.
 */
export function encodeModelChunks(model: ModelSpec): Uint8Array[] {
  const { initializers = [], ...structure } = model.graph;
  const header = proto.model.encode({
    irVersion: model.irVersion,
    producerName: model.producerName,
    opsetImport: model.opsets,
  }).finish();
  const graphBody = proto.graph.encode(toProtoGraph(structure)).finish();
  const tensors = initializers.map(encodeInitializer);
  const graphLength = graphBody.length + tensors.flat().reduce((sum, c) => sum + c.length, 0);
  if (graphLength > protobufLimit) {
    throw new Error(`The graph needs ${graphLength} bytes; protobuf allows 2 GiB. Keep the weights in external data.`);
  }
  return [header, lengthPrefix(fieldNumbers.modelGraph, graphLength), graphBody, ...tensors.flat()];
}

function encodeInitializer(tensor: OnnxTensor): Uint8Array[] {
  const { raw, ...metadata } = tensor;
  const head = proto.tensor.encode(toProtoTensor(metadata)).finish();
  if (!raw) return [lengthPrefix(fieldNumbers.graphInitializer, head.length), head];
  const rawPrefix = lengthPrefix(fieldNumbers.tensorRawData, raw.length);
  const length = head.length + rawPrefix.length + raw.length;
  return [lengthPrefix(fieldNumbers.graphInitializer, length), head, rawPrefix, raw];
}

/** Tag (wire type 2, length-delimited) and length of a field whose payload follows. */
function lengthPrefix(field: number, length: number): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | 2).uint32(length).finish();
}

function toProtoGraph(graph: Omit<GraphSpec, 'initializers'>): object {
  return {
    name: graph.name,
    node: graph.nodes.map((n) => ({
      input: n.inputs,
      output: n.outputs,
      name: n.name,
      opType: n.opType,
      domain: n.domain || undefined,
      attribute: (n.attributes ?? []).map((a) => ({ ...a, t: a.t && toProtoTensor(a.t) })),
    })),
    input: graph.inputs?.map(toProtoValueInfo),
    output: graph.outputs.map(toProtoValueInfo),
    valueInfo: graph.valueInfo?.map(toProtoValueInfo),
  };
}

function toProtoTensor(t: OnnxTensor): object {
  return {
    dims: t.dims, dataType: t.dataType, name: t.name, rawData: t.raw,
    floatData: t.floatData, int32Data: t.int32Data, int64Data: t.int64Data,
  };
}

function toProtoValueInfo(v: OnnxValueInfo): object {
  const dim = v.shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  const shape = dim && { dim };
  return { name: v.name, type: v.elemType === undefined && !shape ? undefined : { tensorType: { elemType: v.elemType, shape } } };
}

// What protobufjs hands back; int64 fields arrive as Long objects because protobufjs ships with long.js.
type Int64 = number | { toNumber(): number };
interface RawTensor {
  name?: string; dims?: Int64[]; dataType?: number; rawData?: Uint8Array; floatData?: number[];
  int32Data?: number[]; int64Data?: Int64[]; dataLocation?: number; externalData?: { key: string; value: string }[];
}
interface RawAttribute {
  name?: string; type?: number; f?: number; i?: Int64; s?: Uint8Array; t?: RawTensor;
  floats?: number[]; ints?: Int64[]; strings?: Uint8Array[]; g?: Uint8Array;
}
interface RawNode { input?: string[]; output?: string[]; name?: string; opType?: string; domain?: string; attribute?: RawAttribute[] }
interface RawValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: Int64; dimParam?: string }[] } } };
}
interface RawGraph { node?: RawNode[]; name?: string; initializer?: RawTensor[]; input?: RawValueInfo[]; output?: RawValueInfo[]; valueInfo?: RawValueInfo[] }
interface RawModel { irVersion?: Int64; producerName?: string; opsetImport?: { domain?: string; version?: Int64 }[]; graph?: RawGraph }

function toNumber(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber();
}

function has(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** A plain Uint8Array over the same memory (protobufjs hands out Buffers when it reads a Buffer). */
function view(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toTensor(t: RawTensor): OnnxTensor {
  const out: OnnxTensor = { name: t.name ?? '', dims: (t.dims ?? []).map(toNumber), dataType: t.dataType ?? 0 };
  if (t.rawData && has(t, 'rawData')) out.raw = view(t.rawData);
  if (t.floatData?.length) out.floatData = t.floatData;
  if (t.int32Data?.length) out.int32Data = t.int32Data;
  if (t.int64Data?.length) out.int64Data = t.int64Data.map(toNumber);
  return out;
}

function toInitializerInfo(t: RawTensor): OnnxInitializerInfo {
  const tensor = toTensor(t);
  const info: OnnxInitializerInfo = { name: tensor.name, dims: tensor.dims, dataType: tensor.dataType, external: t.dataLocation === 1 };
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (!info.external && count <= smallTensorElements) info.values = tensorValues(tensor);
  return info;
}

function toAttribute(a: RawAttribute): OnnxAttribute {
  const out: OnnxAttribute = { name: a.name ?? '', type: a.type ?? 0 };
  if (has(a, 'f')) out.f = a.f;
  if (has(a, 'i') && a.i !== undefined) out.i = toNumber(a.i);
  if (a.s && has(a, 's')) out.s = view(a.s);
  if (a.t) out.t = toTensor(a.t);
  if (a.floats?.length) out.floats = a.floats;
  if (a.ints?.length) out.ints = a.ints.map(toNumber);
  if (a.strings?.length) out.strings = a.strings.map(view);
  if (a.g && has(a, 'g')) out.g = view(a.g);
  return out;
}

function toNode(n: RawNode): OnnxNode {
  return {
    name: n.name ?? '',
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes: (n.attribute ?? []).map(toAttribute),
  };
}

function toValueInfo(v: RawValueInfo): OnnxValueInfo {
  const tensorType = v.type?.tensorType;
  const out: OnnxValueInfo = { name: v.name ?? '' };
  if (tensorType && has(tensorType, 'elemType')) out.elemType = tensorType.elemType;
  if (tensorType?.shape) out.shape = (tensorType.shape.dim ?? []).map(toDim);
  return out;
}

function toDim(d: { dimValue?: Int64; dimParam?: string }): Dim {
  if (has(d, 'dimParam')) return d.dimParam;
  if (has(d, 'dimValue') && d.dimValue !== undefined) return toNumber(d.dimValue);
  return undefined;
}
