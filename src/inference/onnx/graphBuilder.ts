/**
 * A small builder for ONNX models in TypeScript: tests, the synthetic CLIP generator and benchmarks use it.
 * Weights go in as typed arrays and come out as raw_data chunks that reference the same memory, so an
 * 86M-parameter model is written without per-number work or a second copy before the file.
 */
import { endianness } from 'node:os';
import { encodeModel, encodeModelChunks, type ModelSpec } from './schema';
import {
  DataType, type Dim, type NodeSpec, type OnnxAttribute, type OnnxTensor, type OnnxValueInfo, type OpsetImport,
} from './onnxTypes';
import { UniqueNames } from './graphWalk';

/** Options of a GraphBuilder. */
export interface GraphBuilderOptions {
  name?: string;
  /** ai.onnx opset; 17 by default. */
  opset?: number;
  /** Extra opset imports, e.g. `{ domain: 'com.microsoft', version: 1 }`. */
  extraOpsets?: OpsetImport[];
  producerName?: string;
}

/** Options of one node. */
export interface NodeOptions {
  attributes?: OnnxAttribute[];
  domain?: string;
  /** Output names, or how many generated outputs; one generated output by default. */
  outputs?: string[] | number;
  name?: string;
}

/** The IR version each opset was released with (onnx/helper.py's table), for the opsets we build. */
function irVersionFor(opset: number): number {
  if (opset >= 23) return 11;
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  return 7;
}

/** Builds an ONNX model node by node; names are made unique by suffixing a counter. */
export class GraphBuilder {
  private readonly used = new UniqueNames();
  private readonly nodes: NodeSpec[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly opset: number;

  constructor(private readonly options: GraphBuilderOptions = {}) {
    this.opset = options.opset ?? 17;
  }

  /** A name not used yet in this graph: `base`, else the first free `base_1`, `base_2`, ... */
  uniqueName(base: string): string {
    return this.used.take(base);
  }

  /** Declares a graph input (dims may be symbolic names) and returns its name. */
  input(name: string, elemType: number, shape: Dim[]): string {
    const unique = this.uniqueName(name);
    this.inputs.push({ name: unique, elemType, shape });
    return unique;
  }

  /** Declares an existing tensor as a graph output; the shape may be left out. */
  output(name: string, elemType: number = DataType.FLOAT, shape?: Dim[]): void {
    this.outputs.push({ name, elemType, shape });
  }

  /** Adds a float initializer whose raw_data references `data`'s memory (keep it unchanged until encoded). */
  floatInitializer(name: string, data: Float32Array, dims: number[]): string {
    return this.addInitializer(name, DataType.FLOAT, dims, data);
  }

  /** Adds an int64 initializer, 1-D unless `dims` is given (`[]` for a scalar). */
  int64Initializer(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.addInitializer(name, DataType.INT64, dims, BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** Adds an int8 initializer (quantized weights, zero points). */
  int8Initializer(name: string, data: Int8Array, dims: number[]): string {
    return this.addInitializer(name, DataType.INT8, dims, data);
  }

  /** Adds a node and returns its output names. */
  node(opType: string, inputs: string[], options: NodeOptions = {}): string[] {
    const given = options.outputs ?? 1;
    const outputs = typeof given === 'number'
      ? Array.from({ length: given }, () => this.uniqueName(opType.toLowerCase()))
      : given.map((n) => this.uniqueName(n));
    this.nodes.push({
      opType,
      inputs,
      outputs,
      name: this.uniqueName(options.name ?? opType),
      domain: options.domain,
      attributes: options.attributes,
    });
    return outputs;
  }

  /** Adds a single-output node and returns that output's name. */
  op(opType: string, inputs: string[], attributes?: OnnxAttribute[], output?: string): string {
    return this.node(opType, inputs, { attributes, outputs: output ? [output] : 1 })[0];
  }

  /** The model as a plain spec (shares the initializer buffers). */
  toModel(): ModelSpec {
    return {
      irVersion: irVersionFor(this.opset),
      producerName: this.options.producerName ?? 'multimodal-lens',
      opsets: [{ domain: '', version: this.opset }, ...(this.options.extraOpsets ?? [])],
      graph: {
        name: this.options.name ?? 'graph',
        nodes: this.nodes,
        inputs: this.inputs,
        outputs: this.outputs,
        initializers: this.initializers,
      },
    };
  }

  /** The encoded model as byte chunks that reference the initializer buffers (stream them to a file). */
  toChunks(): Uint8Array[] {
    return encodeModelChunks(this.toModel());
  }

  /** The encoded model in one buffer. */
  toBytes(): Uint8Array {
    return encodeModel(this.toModel());
  }

  private addInitializer(name: string, dataType: number, dims: number[], data: ArrayBufferView): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const perElement = dataType === DataType.INT64 ? 8 : dataType === DataType.INT8 ? 1 : 4;
    if (count * perElement !== data.byteLength) {
      throw new Error(`Initializer ${name}: dims [${dims}] need ${count} elements, got ${data.byteLength / perElement}.`);
    }
    const unique = this.uniqueName(name);
    this.initializers.push({ name: unique, dims, dataType, raw: littleEndianBytes(data) });
    return unique;
  }
}

/** ONNX raw_data is little-endian; every platform Node ships prebuilt ONNX Runtime for is too. */
function littleEndianBytes(data: ArrayBufferView): Uint8Array {
  if (endianness() !== 'LE') throw new Error('Writing ONNX raw_data needs a little-endian machine.');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
