/**
 * Feeding and reading a tapped graph, the same way in every adapter (two-tower, single-stream): integer
 * inputs in the type the graph declares, outputs looked up by name, chunks sized by the graph's own batch.
 */
import type { Tensor } from 'onnxruntime-node';
import { badModel } from '../../core/errors';
import { fixedDim } from './graphInputs';
import { DataType, type OnnxValueInfo } from '../onnx/onnxTypes';
import type { OrtModule } from './sessions';
import type { TappedGraph } from './tappedGraph';

/** Items per run when the graph does not pin its batch size: small enough for large attention taps. */
const DEFAULT_CHUNK = 8;

/** How many items one run of a graph with this input takes: its fixed batch size, else a default. */
export function chunkSize(input: OnnxValueInfo): number {
  return fixedDim(input, 0) ?? DEFAULT_CHUNK;
}

/** An int64 tensor as the input wants it: as is for int64 inputs, narrowed to int32 otherwise. */
export function intTensor(ort: OrtModule, data: BigInt64Array, input: OnnxValueInfo, dims: number[]): Tensor {
  if (input.elemType === DataType.INT64) return new ort.Tensor('int64', data, dims);
  return new ort.Tensor('int32', Int32Array.from(data, Number), dims);
}

/**
 * The data of a float output of the graph in `file`. A NaN or infinity there would turn into silent zeros or
 * NaN scores downstream, so it is refused here, naming the file and the output. Only elements from `from` on are
 * checked, when the caller reads only those (a decoder's last position).
 */
export function floatData(outputs: Record<string, Tensor>, name: string, file: string, from = 0): Float32Array {
  const data = outputs[name].data as Float32Array;
  const found = data.subarray(from).findIndex((v) => !Number.isFinite(v));
  const bad = found < 0 ? found : found + from;
  if (bad >= 0) {
    throw badModel(
      file,
      `its output "${name}" holds ${data[bad]} (at element ${bad} of ${data.length}) for these inputs`,
      'The weights may be corrupt or overflow in this precision (often an fp16 export): re-export the model in fp32 or download it again.',
    );
  }
  return data;
}

/** The first of `names` the graph outputs, or a badModel error listing the outputs it has and saying `fix`. */
export function outputNamed(graph: TappedGraph, names: string[], fix: string): string {
  const found = names.find((name) => graph.graph.outputs.some((o) => o.name === name));
  if (found) return found;
  const have = graph.graph.outputs.map((o) => o.name).join(', ');
  const want = names.map((n) => `\`${n}\``).join(' or ');
  throw badModel(graph.file, `has no ${want} output (its outputs: ${have})`, fix);
}
