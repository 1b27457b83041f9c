/**
 * Model surgery without re-encoding weights. Protobuf merges repeated fields of a message that occurs twice,
 * so a second ModelProto holding only `graph { node, output }`, appended to the original bytes, adds
 * nodes and outputs to the graph while the original bytes (and their weights) stay untouched.
 * Checked with onnxruntime-node 1.30: appended outputs may be typed or carry no type at all.
 */
import { encodeModel } from './schema';
import { DataType, type NodeSpec, type OnnxValueInfo } from './onnxTypes';

export {
  findHiddenState, findProjectionHead, planDenseProjection, type DenseProjectionPlan, type DenseProjectionResult, type ProjectionHead, type ProjectionHeadResult,
} from './denseProjection';

/** What to add to a model: outputs (a name means a float tensor), the nodes that compute new ones and the inputs they read. */
export interface ModelAdditions {
  /** Names of existing or new tensors to return; pass `{ name }` without elemType for a non-float tensor. */
  outputs: (string | OnnxValueInfo)[];
  nodes?: NodeSpec[];
  inputs?: OnnxValueInfo[];
}

/**
 * Returns the original model bytes followed by a ModelProto that appends `extra` to its graph. An output
 * already listed by the model must not be listed again. The result has one copy of the original bytes.
 */
export function appendToModel(originalBytes: Uint8Array, extra: ModelAdditions): Uint8Array {
  const tail = encodeModel({
    graph: {
      nodes: extra.nodes ?? [],
      inputs: extra.inputs ?? [],
      outputs: extra.outputs.map((o) => (typeof o === 'string' ? { name: o, elemType: DataType.FLOAT } : o)),
    },
  });
  const out = new Uint8Array(originalBytes.length + tail.length);
  out.set(originalBytes);
  out.set(tail, originalBytes.length);
  return out;
}
