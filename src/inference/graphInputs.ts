/**
 * Reading what a graph expects from its declared inputs: which input takes pixels or ids, and whether its
 * batch or sequence dimension is fixed (some exports pin batch 1 or 77 tokens).
 */
import { badModel } from './errors';
import { DataType, type OnnxValueInfo } from './onnx/onnxTypes';

/** The graph input named `preferred`, or the first one that fits `fits`; a badModel error otherwise. */
export function findInput(file: string, inputs: OnnxValueInfo[], preferred: string, fits: (i: OnnxValueInfo) => boolean, what: string): OnnxValueInfo {
  const found = inputs.find((i) => i.name === preferred) ?? inputs.find(fits);
  if (!found) {
    const names = inputs.map((i) => i.name).join(', ') || 'none';
    throw badModel(file, `has no ${what} input (its inputs: ${names})`, `Use a graph exported with a \`${preferred}\` input, in the Hugging Face layout.`);
  }
  return found;
}

/** True for a float input of rank 4: [batch, channels, height, width]. */
export function isPixelInput(input: OnnxValueInfo): boolean {
  return input.elemType === DataType.FLOAT && input.shape?.length === 4;
}

/** True for an integer input of rank 2: [batch, sequence]. */
export function isIdsInput(input: OnnxValueInfo): boolean {
  return (input.elemType === DataType.INT64 || input.elemType === DataType.INT32) && input.shape?.length === 2;
}

/** The fixed size of dimension `axis`, or undefined when it is symbolic or unknown. */
export function fixedDim(input: OnnxValueInfo, axis: number): number | undefined {
  const dim = input.shape?.[axis];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}
