/**
 * A copy of a model file in which If nodes return tensors of their branches (onnx/branchTaps.ts plans which).
 * An appended ModelProto can add nodes and outputs to a graph but cannot change a node, so the If node is rewritten
 * in place: its branches' GraphProto bytes get the new outputs appended (protobuf concatenates repeated fields), the
 * node gets its new output names, and the length prefixes of the node and of the graph around it are written anew.
 * Everything else, weights included, is copied from the file in windows without passing through protobuf.
 */
import { open, type FileHandle } from 'node:fs/promises';
import protobuf from 'protobufjs/light';
import { IF_BRANCHES, type BranchTapPlan } from '../onnx/branchTaps';
import { fieldNumbers as F, proto } from '../onnx/protoSchema';

const WINDOW = 1 << 20;
const LEN = 2;

/** Writes `file` to `copy` with each planned If node returning its branches' tapped tensors as `elemType`. */
export async function copyWithBranchOutputs(file: string, copy: string, plans: BranchTapPlan[], elemType: number): Promise<void> {
  const source = await open(file, 'r');
  try {
    const size = (await source.stat()).size;
    const pieces = await planPieces(source, size, plans, elemType);
    const target = await open(copy, 'w');
    try {
      for (const piece of pieces) {
        if (piece instanceof Uint8Array) await target.write(piece);
        else await copyRange(source, target, piece.start, piece.end);
      }
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** A range of the source file to copy as it is. */
interface Range {
  start: number;
  end: number;
}

/** The output as ranges of the source and new bytes: each graph holding a planned node gets a new length prefix. */
async function planPieces(source: FileHandle, size: number, plans: BranchTapPlan[], elemType: number): Promise<(Range | Uint8Array)[]> {
  const byNode = new Map(plans.map((plan) => [plan.nodeIndex, plan]));
  const pieces: (Range | Uint8Array)[] = [];
  let nodeIndex = 0;
  let copied = 0;
  for (const field of await fieldsOf(source, 0, size)) {
    if (field.number !== F.modelGraph || field.wire !== LEN) continue;
    const graphPieces: (Range | Uint8Array)[] = [];
    let graphCopied = field.bodyStart;
    let growth = 0;
    for (const inner of await fieldsOf(source, field.bodyStart, field.end)) {
      if (inner.number !== F.graphNode || inner.wire !== LEN) continue;
      const plan = byNode.get(nodeIndex++);
      if (!plan) continue;
      const body = Buffer.alloc(inner.end - inner.bodyStart);
      await source.read(body, 0, body.length, inner.bodyStart);
      const rewritten = lengthDelimited(F.graphNode, rewriteNode(body, plan, elemType));
      graphPieces.push({ start: graphCopied, end: inner.start }, rewritten);
      growth += rewritten.length - (inner.end - inner.start);
      graphCopied = inner.end;
      byNode.delete(plan.nodeIndex);
    }
    if (graphPieces.length === 0) continue;
    graphPieces.push({ start: graphCopied, end: field.end });
    pieces.push({ start: copied, end: field.start }, header(F.modelGraph, field.end - field.bodyStart + growth), ...graphPieces);
    copied = field.end;
  }
  if (byNode.size > 0) throw new Error(`node ${[...byNode.keys()][0]} of the graph was not found in the file`);
  pieces.push({ start: copied, end: size });
  return pieces;
}

/** The If node with its branches' outputs and its own outputs extended as `plan` says. */
function rewriteNode(body: Uint8Array, plan: BranchTapPlan, elemType: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const field of messageFields(body)) {
    const bytes = body.subarray(field.start, field.end);
    if (field.number !== F.nodeAttribute || field.wire !== LEN) {
      chunks.push(bytes);
      continue;
    }
    const attribute = body.subarray(field.bodyStart, field.end);
    const branch = IF_BRANCHES.find((name) => name === attributeName(attribute));
    chunks.push(branch ? lengthDelimited(F.nodeAttribute, withBranchOutputs(attribute, plan.branchTensors[branch], elemType)) : bytes);
  }
  const writer = protobuf.Writer.create();
  for (const name of plan.outputs) writer.uint32((F.nodeOutput << 3) | LEN).string(name);
  chunks.push(writer.finish());
  return Buffer.concat(chunks);
}

/** An AttributeProto whose subgraph (`g`) returns `tensors` after its own outputs. */
function withBranchOutputs(attribute: Uint8Array, tensors: string[], elemType: number): Uint8Array {
  const outputs = tensors.map((name) => lengthDelimited(F.graphOutput, proto.valueInfo.encode({ name, type: { tensorType: { elemType } } }).finish()));
  return Buffer.concat(messageFields(attribute).map((field) => {
    if (field.number !== F.attributeGraph || field.wire !== LEN) return attribute.subarray(field.start, field.end);
    return lengthDelimited(F.attributeGraph, Buffer.concat([attribute.subarray(field.bodyStart, field.end), ...outputs]));
  }));
}

function attributeName(attribute: Uint8Array): string | undefined {
  const field = messageFields(attribute).find((f) => f.number === F.attributeName && f.wire === LEN);
  return field && Buffer.from(attribute.subarray(field.bodyStart, field.end)).toString('utf8');
}

/** One field of a message: its number, wire type, and where it starts, where its body starts and where it ends. */
interface Field {
  number: number;
  wire: number;
  start: number;
  bodyStart: number;
  end: number;
}

/** The fields of a message held in memory. */
function messageFields(bytes: Uint8Array): Field[] {
  const reader = protobuf.Reader.create(bytes);
  const fields: Field[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    let bodyStart = reader.pos;
    if ((tag & 7) === LEN) {
      const length = reader.uint32();
      bodyStart = reader.pos;
      reader.pos += length;
    } else {
      reader.skipType(tag & 7);
    }
    fields.push({ number: tag >>> 3, wire: tag & 7, start, bodyStart, end: reader.pos });
  }
  return fields;
}

/** The fields of the message in [start, end) of a file, read tag by tag (a weight's bytes are skipped, not read). */
async function fieldsOf(file: FileHandle, start: number, end: number): Promise<Field[]> {
  const fields: Field[] = [];
  const head = Buffer.alloc(20);
  for (let pos = start; pos < end;) {
    const { bytesRead } = await file.read(head, 0, Math.min(head.length, end - pos), pos);
    const reader = protobuf.Reader.create(head.subarray(0, bytesRead));
    const tag = reader.uint32();
    const wire = tag & 7;
    let bodyStart = pos + reader.pos;
    let fieldEnd: number;
    if (wire === LEN) {
      const length = reader.uint32();
      bodyStart = pos + reader.pos;
      fieldEnd = bodyStart + length;
    } else {
      reader.skipType(wire);
      fieldEnd = pos + reader.pos;
    }
    if (fieldEnd > end) throw new Error(`field ${tag >>> 3} at byte ${pos} runs past the end of its message (the file may be truncated)`);
    fields.push({ number: tag >>> 3, wire, start: pos, bodyStart, end: fieldEnd });
    pos = fieldEnd;
  }
  return fields;
}

function header(field: number, length: number): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | LEN).uint32(length).finish();
}

function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  return Buffer.concat([header(field, body.length), body]);
}

async function copyRange(source: FileHandle, target: FileHandle, start: number, end: number): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(WINDOW, Math.max(end - start, 1)));
  for (let pos = start; pos < end;) {
    const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, end - pos), pos);
    if (bytesRead === 0) throw new Error(`the file ends at byte ${pos}, before byte ${end}`);
    await target.write(buffer.subarray(0, bytesRead));
    pos += bytesRead;
  }
}
