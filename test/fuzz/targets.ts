/** The fuzz targets by name, in the order a full run takes them. */
import { configTarget } from './configTarget';
import { deepGraphTarget, deepJsonTarget, longChainTarget } from './deepTarget';
import type { FuzzTarget } from './fuzzTarget';
import { imageTarget } from './imageTarget';
import { modelTarget } from './modelTarget';
import { longTextTarget, veryLongTextTarget } from './textTarget';
import { vlmConfigTarget } from './vlmConfigTarget';

/** Every target: ONNX taps and surgery, the folder's JSON readers (a VLM's too), the image path, long texts, deep structures. */
export const fuzzTargets: Record<string, FuzzTarget> = {
  model: modelTarget, config: configTarget, image: imageTarget, text: longTextTarget, longtext: veryLongTextTarget,
  deepjson: deepJsonTarget, deepgraph: deepGraphTarget, longchain: longChainTarget, vlmconfig: vlmConfigTarget,
};
