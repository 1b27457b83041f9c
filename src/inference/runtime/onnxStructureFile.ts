/**
 * A model file's structure without its weights, read from disk in small windows. The weights (large
 * initializers' raw_data) are skipped with a seek, never read: reading a 350 MB tower into JavaScript only to
 * decode its few hundred kilobytes of graph cost its size in memory (and on virtual machines that back memory
 * lazily, seconds of page faults). The result is a valid, much smaller ModelProto holding every field that
 * decodeGraphStructure reads (onnx/protoSchema.ts), so decoding it gives the same structure as the whole file.
 * Field numbers are onnx.proto's: ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.raw_data = 9,
 * TensorProto.int32_data = 5, TensorProto.int64_data = 7.
 */
import { open, type FileHandle } from 'node:fs/promises';

const WINDOW = 1 << 20;
/** Smaller files are read whole: cheaper than walking them field by field. */
const READ_WHOLE = 8 << 20;
/** Tensor data up to this size is kept: decodeGraphStructure reads the values of tensors of at most 64 elements. */
const SMALL_DATA = 1024;
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_DATA_FIELDS = new Set([5, 7, 9]);
/** Fields decodeGraphStructure reads: ModelProto ir_version, producer_name, graph, opset_import. */
const MODEL_FIELDS = new Set([1, 2, MODEL_GRAPH, 8]);
/** GraphProto node, name, initializer, input, output, value_info. */
const GRAPH_FIELDS = new Set([1, 2, GRAPH_INITIALIZER, 11, 12, 13]);

type Rule = 'copy' | 'skip' | ((start: number, end: number) => Promise<Uint8Array[]>);

/** Sizes of the reading strategy; tests make them small to walk tiny files window by window. */
export interface StructureReadOptions {
  /** Files up to this size are read whole (default 8 MiB). */
  readWhole?: number;
  /** Bytes read at a time (default 1 MiB). */
  window?: number;
}

/** The structure of the model in `file` as a small ModelProto (see the file comment), or the whole file when it is small. */
export async function readModelStructure(file: string, options: StructureReadOptions = {}): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size <= (options.readWhole ?? READ_WHOLE)) return await handle.readFile();
    const reader = new WindowReader(handle, size, options.window ?? WINDOW);
    const tensor = (start: number, end: number) => rewrite(reader, start, end, (field, length) => (TENSOR_DATA_FIELDS.has(field) && length > SMALL_DATA ? 'skip' : 'copy'));
    const graph = (start: number, end: number) => rewrite(reader, start, end, (field) => (field === GRAPH_INITIALIZER ? tensor : GRAPH_FIELDS.has(field) ? 'copy' : 'skip'));
    const chunks = await rewrite(reader, 0, reader.size, (field) => (field === MODEL_GRAPH ? graph : MODEL_FIELDS.has(field) ? 'copy' : 'skip'));
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

/** Copies, skips or rewrites each field of the message in [start, end) by `rule(field number, length of a LEN field)`. */
async function rewrite(reader: WindowReader, start: number, end: number, rule: (field: number, length: number) => Rule): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let pos = start;
  while (pos < end) {
    const tag = await reader.varint(pos);
    const field = Math.floor(tag.value / 8);
    let bodyStart = pos + tag.bytes;
    let bodyEnd: number;
    switch (tag.value % 8) {
      case 0:
        bodyEnd = bodyStart + (await reader.varint(bodyStart)).bytes;
        break;
      case 1:
        bodyEnd = bodyStart + 8;
        break;
      case 5:
        bodyEnd = bodyStart + 4;
        break;
      case 2: {
        const length = await reader.varint(bodyStart);
        bodyStart += length.bytes;
        bodyEnd = bodyStart + length.value;
        break;
      }
      default:
        throw new Error(`unsupported protobuf wire type ${tag.value % 8} at byte ${pos}`);
    }
    if (field === 0 || bodyEnd > end) throw new Error(`field ${field} at byte ${pos} runs past the end of its message (the file may be truncated)`);
    const action = rule(field, bodyEnd - bodyStart);
    if (action === 'copy') out.push(await reader.copy(pos, bodyEnd - pos));
    else if (action !== 'skip') {
      const inner = await action(bodyStart, bodyEnd);
      out.push(Uint8Array.from(encodeVarint(field * 8 + 2)), Uint8Array.from(encodeVarint(inner.reduce((n, c) => n + c.length, 0))));
      // One push per chunk: spreading a graph of 200,000 fields into push() overflowed the call stack.
      for (const chunk of inner) out.push(chunk);
    }
    pos = bodyEnd;
  }
  return out;
}

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}

/** Reads a file through one window, moved as the parse moves (mostly forward, skipping weights). */
class WindowReader {
  private readonly window: Buffer;
  private windowStart = 0;
  private windowLength = 0;

  constructor(private readonly handle: FileHandle, readonly size: number, windowSize: number) {
    this.window = Buffer.allocUnsafe(windowSize);
  }

  /** A varint at `pos`: its value and how many bytes it takes. */
  async varint(pos: number): Promise<{ value: number; bytes: number }> {
    const bytes = await this.view(pos, Math.min(10, this.size - pos));
    let value = 0;
    for (let i = 0; i < bytes.length; i++) {
      value += (bytes[i] & 0x7f) * 2 ** (7 * i);
      if (bytes[i] < 0x80) return { value, bytes: i + 1 };
    }
    throw new Error(`invalid or truncated varint at byte ${pos}`);
  }

  /** A copy of [pos, pos + length). */
  async copy(pos: number, length: number): Promise<Uint8Array> {
    if (length <= this.window.length) return Uint8Array.from(await this.view(pos, length));
    const out = Buffer.allocUnsafe(length);
    await this.readFully(out, pos);
    return out;
  }

  /** [pos, pos + length) from the window, moved there when needed; valid until the next call. */
  private async view(pos: number, length: number): Promise<Uint8Array> {
    if (length <= 0 || pos + length > this.size) throw new Error(`the file ends at byte ${this.size}, before byte ${pos + Math.max(length, 1)}`);
    if (pos < this.windowStart || pos + length > this.windowStart + this.windowLength) {
      this.windowStart = pos;
      this.windowLength = Math.min(this.window.length, this.size - pos);
      await this.readFully(this.window.subarray(0, this.windowLength), pos);
    }
    return this.window.subarray(pos - this.windowStart, pos - this.windowStart + length);
  }

  private async readFully(target: Uint8Array, pos: number): Promise<void> {
    for (let done = 0; done < target.length;) {
      const { bytesRead } = await this.handle.read(target, done, target.length - done, pos + done);
      if (bytesRead === 0) throw new Error(`the file ends before byte ${pos + target.length}`);
      done += bytesRead;
    }
  }
}
