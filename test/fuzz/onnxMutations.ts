/**
 * Field-level mutations of an ONNX model: decode it with the project's own protobuf schema, change one thing a
 * broken exporter or a hand edit could (an op type, an axis, a shape, an edge, an initializer), encode it back.
 * They reach the tap discovery and surgery code with well-formed protobuf but a wrong graph, which byte
 * flips rarely do.
 */
import { proto } from '../../src/inference/onnx/protoSchema';
import type { Mutated } from './byteMutations';
import type { FuzzRandom } from './random';

/* The decoded messages, as loosely as the mutations need them (protobufjs objects, int64 as number or Long). */
type Int64 = number | { toNumber(): number };
interface Dimension { dimValue?: Int64; dimParam?: string }
interface ValueInfo { name?: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: Dimension[] } } } }
interface Attribute { name?: string; type?: number; i?: Int64; f?: number; ints?: Int64[] }
interface Node { input: string[]; output: string[]; name?: string; opType?: string; domain?: string; attribute: Attribute[] }
interface Tensor { name?: string; dims: Int64[]; dataType?: number; rawData?: Uint8Array; dataLocation?: number; externalData: { key: string; value: string }[] }
interface Graph { node: Node[]; input: ValueInfo[]; output: ValueInfo[]; valueInfo: ValueInfo[]; initializer: Tensor[] }
/** A decoded ModelProto. */
export interface ModelMessage { opsetImport: { domain?: string; version?: Int64 }[]; graph?: Graph }

/** Op types that matter to tap discovery, plus fused attention and nonsense. */
const opTypes = ['Softmax', 'MatMul', 'Add', 'Mul', 'Div', 'Where', 'Reshape', 'Transpose', 'Cast', 'Dropout', 'Identity', 'Attention', 'MultiHeadAttention', 'FusedMatMul', 'Gemm', 'LayerNormalization', '', 'NoSuchOp'];
const domains = ['', 'ai.onnx', 'com.microsoft', 'org.example'];
const edgeInts = [0, 1, -1, -2, 2, 3, 4, 7, 63, 2 ** 31 - 1, -(2 ** 31), 2 ** 40];
/** Only plain names inside the model folder: see docs/reliability.md for external-data locations that escape it. */
const externalLocations = ['weights.bin', 'missing/model.onnx_data', 'model.onnx_data'];

type GraphMutation = (graph: Graph, random: FuzzRandom, model: ModelMessage) => string;

const tensorNames = (g: Graph) => [...g.node.flatMap((n) => [...n.input, ...n.output]), ...g.initializer.map((t) => t.name ?? '')];

const mutations: GraphMutation[] = [
  (g, r) => {
    const node = r.pick(g.node);
    const was = node.opType;
    node.opType = r.pick(opTypes);
    return `node ${node.name} op ${was} -> ${node.opType}`;
  },
  (g, r) => {
    const node = r.pick(g.node);
    node.domain = r.pick(domains);
    return `node ${node.name} domain -> "${node.domain}"`;
  },
  (g, r) => {
    const at = r.int(g.node.length);
    const [node] = g.node.splice(at, 1);
    return `node ${node.name} removed`;
  },
  (g, r) => {
    const node = r.pick(g.node);
    g.node.splice(r.int(g.node.length + 1), 0, { ...node, input: [...node.input], output: [...node.output], attribute: [...node.attribute] });
    return `node ${node.name} duplicated`;
  },
  (g, r) => {
    const node = r.pick(g.node);
    if (node.input.length === 0) node.input.push('');
    const slot = r.int(node.input.length);
    node.input[slot] = r.pick([...tensorNames(g), '', 'no_such_tensor', node.output[0] ?? '']);
    return `node ${node.name} input ${slot} -> "${node.input[slot]}"`;
  },
  (g, r) => {
    const node = r.pick(g.node);
    const slot = r.int(Math.max(1, node.output.length));
    node.output[slot] = r.pick([...tensorNames(g), '']);
    return `node ${node.name} output ${slot} -> "${node.output[slot]}"`;
  },
  (g, r) => {
    const node = r.pick(g.node);
    if (node.attribute.length === 0 || r.chance(0.3)) {
      node.attribute.push({ name: r.pick(['axis', 'perm', 'to', 'num_heads', 'transA']), type: 2, i: r.pick(edgeInts) });
      return `node ${node.name} attribute added`;
    }
    const attribute = r.pick(node.attribute);
    if (r.chance(0.5)) attribute.i = r.pick(edgeInts);
    else attribute.type = r.int(12);
    if (attribute.ints && r.chance(0.5)) attribute.ints = attribute.ints.map(() => r.pick(edgeInts));
    return `node ${node.name} attribute ${attribute.name} changed`;
  },
  (g, r) => {
    const list = r.pick([g.input, g.output, g.valueInfo].filter((l) => l.length > 0));
    const info = r.pick(list);
    const tensorType = (info.type ??= {}).tensorType ??= {};
    const choice = r.int(4);
    if (choice === 0) tensorType.elemType = r.int(17);
    else if (choice === 1) delete tensorType.shape;
    else if (choice === 2) tensorType.shape = { dim: Array.from({ length: r.int(6) }, () => (r.chance(0.5) ? { dimValue: r.pick(edgeInts) } : { dimParam: 'n' })) };
    else delete info.type;
    return `value info ${info.name} type change ${choice}`;
  },
  (g, r) => {
    const list = r.pick([g.input, g.output]);
    if (list.length === 0) return 'no-op (empty list)';
    const info = r.pick(list);
    const was = info.name;
    info.name = r.pick([...tensorNames(g), '', 'renamed']);
    return `graph input/output ${was} renamed to "${info.name}"`;
  },
  (g, r) => {
    const tensor = r.pick(g.initializer);
    const choice = r.int(5);
    if (choice === 0) tensor.dims = tensor.dims.map(() => r.pick(edgeInts));
    else if (choice === 1) tensor.dataType = r.int(17);
    else if (choice === 2 && tensor.rawData) tensor.rawData = tensor.rawData.subarray(0, r.int(tensor.rawData.length));
    else if (choice === 3) {
      tensor.dataLocation = 1;
      tensor.externalData = [{ key: 'location', value: r.pick(externalLocations) }];
    } else g.initializer.splice(g.initializer.indexOf(tensor), 1);
    return `initializer ${tensor.name} change ${choice}`;
  },
  (_g, r, model) => {
    const version = r.pick([0, 1, 7, 12, 13, 17, 23, 1000]);
    model.opsetImport = [{ domain: r.pick(domains), version }];
    return `opset -> ${version}`;
  },
  (g, r) => {
    // A cycle: a node reads what a later node writes.
    const early = r.pick(g.node);
    const late = r.pick(g.node);
    if (early.input.length === 0 || late.output.length === 0) return 'no-op (no edge)';
    early.input[0] = late.output[0];
    return `cycle: ${early.name} reads ${late.output[0]}`;
  },
];

/** Decodes `bytes` as a ModelProto with the full schema (weights included). */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  return proto.model.toObject(proto.model.decode(bytes), { defaults: false, arrays: true }) as ModelMessage;
}

/** Encodes a (possibly edited) decoded model. */
export function encodeModelMessage(model: ModelMessage): Uint8Array {
  return proto.model.encode(proto.model.fromObject(model as object)).finish();
}

/** One to three random field-level edits of a model that decodes; `bytes` must be a valid model. */
export function mutateModelFields(bytes: Uint8Array, random: FuzzRandom): Mutated {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const steps = Array.from({ length: 1 + random.int(3) }, () => (graph.node.length > 0 && graph.initializer.length > 0 ? random.pick(mutations)(graph, random, model) : 'no-op'));
  return { bytes: encodeModelMessage(model), description: steps.join('; ') };
}
