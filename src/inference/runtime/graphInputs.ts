/**
 * Reading what a graph expects from its declared inputs: which input takes pixels or ids, and whether its
 * batch or sequence dimension is fixed (some exports pin batch 1 or 77 tokens).
 */
import { badModel } from '../../core/errors';
import { DataType, type OnnxValueInfo } from '../onnx/onnxTypes';
import type { Size2D } from '../model/preprocessorConfig';

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

/**
 * Refuses images the graph cannot take: when the pixel input fixes its height and width, the preprocessor
 * must make exactly that size (onnxruntime's own message for this names neither the size nor the config).
 */
export function checkImageSize(file: string, input: OnnxValueInfo, size: Size2D): void {
  const height = fixedDim(input, 2);
  const width = fixedDim(input, 3);
  if ((height !== undefined && height !== size.height) || (width !== undefined && width !== size.width)) {
    throw badModel(
      file,
      `takes ${height ?? 'any'}x${width ?? 'any'} (height x width) images, but preprocessor_config.json makes ${size.height}x${size.width}`,
      'Use the preprocessor_config.json exported with this graph, or set its crop_size (and size) to the graph\'s image size.',
    );
  }
}
