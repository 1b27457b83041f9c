/**
 * Deep and long structures, which a recursive reader or walker cannot take: JSON values nested 10^2 to 10^5
 * levels (arrays, objects, or both) placed anywhere in a config file, and ONNX graphs with a long chain of
 * Identity nodes spliced into an edge (after a Softmax, say) or an If node whose then-branch nests 10 to 10^4
 * subgraphs deep. Sizes are drawn log-uniform between the exponents a target gives. Every builder is
 * iterative, so the generator itself never overflows.
 */
import protobuf from 'protobufjs/light';
import type { Mutated } from './byteMutations';
import { decodeModel, encodeModelMessage } from './onnxMutations';
import type { FuzzRandom } from './random';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Exponent bounds [lo, hi]: sizes from 10^lo to 10^hi, log-uniform. */
export type Exponents = readonly [lo: number, hi: number];

/** 10^lo to 10^hi, log-uniform. */
function logUniform(random: FuzzRandom, lo: number, hi: number): number {
  return Math.round(10 ** (lo + random.float() * (hi - lo)));
}

/** The text of a JSON value nested `depth` levels, built as a string (JSON.stringify would recurse). */
export function deepJsonText(depth: number, random: FuzzRandom): { text: string; description: string } {
  const shape = random.pick(['arrays', 'objects', 'mixed'] as const);
  const key = random.pick(['a', 'vocab', 'size', '']);
  const inner = random.pick(['0', '"x"', 'null', '[]', '{}', '1e308', '"<|endoftext|>"']);
  const open: string[] = [];
  const close: string[] = [];
  for (let level = 0; level < depth; level++) {
    const array = shape === 'arrays' || (shape === 'mixed' && random.chance(0.5));
    open.push(array ? '[' : `{${JSON.stringify(key)}:`);
    close.push(array ? ']' : '}');
  }
  return { text: open.join('') + inner + close.reverse().join(''), description: `${depth} levels of ${shape} around ${inner}` };
}

/** Every path to a value in `value`, found without recursion. */
function slots(value: Json): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: [Json, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const [key, item] of Array.isArray(node) ? node.entries() : Object.entries(node)) {
      const at = [...path, key];
      out.push(at);
      stack.push([item, at]);
    }
  }
  return out;
}

const PLACEHOLDER = '\u0000deep-value\u0000';

/** A config file's JSON text with one value (or the whole file) replaced by a deeply nested one. */
export function deepenJsonFile(text: string, random: FuzzRandom, levels: Exponents = [2, 5]): Mutated {
  const deep = deepJsonText(logUniform(random, ...levels), random);
  const root = JSON.parse(text) as Json;
  const all = slots(root);
  if (all.length === 0 || random.chance(0.1)) return { bytes: new TextEncoder().encode(deep.text), description: `whole file -> ${deep.description}` };
  const path = random.pick(all);
  let container = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) container = container[key] as Record<string | number, Json>;
  container[path[path.length - 1]] = PLACEHOLDER;
  const serialised = JSON.stringify(root).replace(JSON.stringify(PLACEHOLDER), () => deep.text);
  return { bytes: new TextEncoder().encode(serialised), description: `${path.join('.')} -> ${deep.description}` };
}

/** A chain of `length` Identity nodes spliced into the edge `tensor`: its readers read the chain's end instead. */
function spliceChain(model: ReturnType<typeof decodeModel>, tensor: string, length: number): void {
  const graph = model.graph!;
  const readers = graph.node.filter((n) => n.input.includes(tensor));
  const outputs = graph.output.filter((o) => o.name === tensor);
  const chain = Array.from({ length }, (_, k) => ({
    input: [k === 0 ? tensor : `${tensor}/chain_${k - 1}`], output: [`${tensor}/chain_${k}`], name: `chain_${k}`, opType: 'Identity', attribute: [],
  }));
  const end = `${tensor}/chain_${length - 1}`;
  for (const node of readers) node.input = node.input.map((name) => (name === tensor ? end : name));
  for (const output of outputs) output.name = end;
  const at = graph.node.findIndex((n) => n.output.includes(tensor));
  graph.node.splice(at + 1, 0, ...chain);
}

/** Protobuf's length-delimited field `field` around `length` bytes that follow: its tag and length. */
function header(field: number, length: number): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | 2).uint32(length).finish();
}

function stringField(field: number, value: string): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | 2).string(value).finish();
}

const concat = (parts: Uint8Array[]) => Buffer.concat(parts);

const varintField = (field: number, value: number) => protobuf.Writer.create().uint32(field << 3).uint32(value).finish();
/** AttributeProto.type GRAPH. */
const GRAPH = 5;

/**
 * A ModelProto tail that adds one If node to the graph (concatenated messages merge) whose then-branch holds
 * an If whose then-branch holds an If ... `depth` graphs deep. Graph L is [node: If(cond) with then_branch =
 * graph L-1 and a small else_branch] [output]; the lengths are computed inside out and the bytes written in
 * one pass (outer prefixes, the innermost graph, inner suffixes), so the size stays linear in the depth.
 */
function nestedIfTail(depth: number, cond: string): Uint8Array {
  const outputField = (name: string) => concat([header(12, stringField(1, name).length), stringField(1, name)]);
  const identity = concat([stringField(1, cond), stringField(2, 'leaf_out'), stringField(4, 'Identity')]);
  const innermost = concat([header(1, identity.length), identity, outputField('leaf_out'), stringField(2, 'leaf')]);
  const elseAttr = concat([stringField(1, 'else_branch'), varintField(20, GRAPH), header(6, innermost.length), innermost]);
  const elseField = concat([header(5, elseAttr.length), elseAttr]);
  const thenHead = concat([stringField(1, 'then_branch'), varintField(20, GRAPH)]);
  const prefixes: Uint8Array[] = [];
  const suffixes: Uint8Array[] = [];
  let inner = innermost.length;
  for (let level = 1; level <= depth; level++) {
    const out = `if_out_${level}`;
    const attrLength = thenHead.length + header(6, inner).length + inner;
    const nodeHead = concat([stringField(1, cond), stringField(2, out), stringField(4, 'If')]);
    const nodeLength = nodeHead.length + header(5, attrLength).length + attrLength + elseField.length;
    const prefix = concat([header(1, nodeLength), nodeHead, header(5, attrLength), thenHead, header(6, inner)]);
    const suffix = concat([elseField, outputField(out), stringField(2, `branch_${level}`)]);
    prefixes.push(prefix);
    suffixes.push(suffix);
    inner += prefix.length + suffix.length;
  }
  const graph = concat([...prefixes.reverse(), innermost, ...suffixes]);
  return concat([header(7, graph.length), graph]);
}

/** How deep an If may nest and how long a chain may be; a missing kind is not generated. */
export interface GraphSizes {
  nesting?: Exponents;
  chain?: Exponents;
}

/** A model with a long Identity chain in one edge, or a deeply nested If node added. */
export function deepenModel(bytes: Uint8Array, random: FuzzRandom, sizes: GraphSizes = { nesting: [1, 4], chain: [2, 5] }): Mutated {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  if (sizes.nesting && (!sizes.chain || random.chance(0.5))) {
    const depth = logUniform(random, ...sizes.nesting);
    const cond = random.pick([graph.input[0]?.name ?? '', 'no_such_condition']);
    return { bytes: concat([bytes, nestedIfTail(depth, cond)]), description: `If nested ${depth} subgraphs deep (condition "${cond}")` };
  }
  const softmax = graph.node.filter((n) => n.opType === 'Softmax');
  const edges = [...new Set(graph.node.flatMap((n) => n.output))].filter(Boolean);
  const tensor = softmax.length > 0 && random.chance(0.5) ? random.pick(random.chance(0.5) ? softmax.map((n) => n.output[0]) : softmax.map((n) => n.input[0])) : random.pick(edges);
  const length = logUniform(random, ...(sizes.chain ?? [2, 5]));
  spliceChain(model, tensor, length);
  return { bytes: encodeModelMessage(model), description: `${length} Identity nodes spliced after ${tensor}` };
}
