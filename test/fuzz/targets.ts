/** The fuzz targets by name, in the order a full run takes them. */
import { configTarget } from './configTarget';
import type { FuzzTarget } from './fuzzTarget';
import { imageTarget } from './imageTarget';
import { modelTarget } from './modelTarget';

/** Every target: ONNX taps and surgery, the folder's JSON readers, the image path. */
export const fuzzTargets: Record<string, FuzzTarget> = { model: modelTarget, config: configTarget, image: imageTarget };
