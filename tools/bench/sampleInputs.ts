/**
 * The analysis inputs of the end-to-end, memory and hover figures: five captions in the benchmark models'
 * vocabulary, and a photo-sized JPEG (the sample scene scaled up), so that decoding and resizing cost
 * what they cost for a real photo rather than for a 96-pixel sample.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PreviewRequest } from '../../src/hover/previewService';
import { getSharp } from '../../src/inference/images/imageDecode';
import { DEFAULT_MAX_PIXELS } from '../../src/inference/images/preprocess';
import type { ExecutionProviderSetting } from '../../src/inference/runtime/executionProvider';
import { ALL_KINDS } from '../../src/shapesWorld/vocab';

/** The bundled sample scene and demo model (the hover figure's inputs). */
export const SAMPLE_SCENE = 'media/samples/scene-1.png';

/** The demo model folder. */
export const DEMO_MODEL = 'models/shapes-clip';

/** Five texts, as in "analyze one image with 5 texts". */
export const FIVE_TEXTS = [
  'a photo of a red circle',
  'a blue square on the left',
  'a small green triangle',
  'a picture of a cat and a dog',
  'a big yellow circle with a black background',
];

/** Writes (once) and returns a 1280 x 960 JPEG in `scratch`. */
export async function photoImage(scratch: string): Promise<string> {
  const path = join(scratch, 'photo-1280x960.jpg');
  if (!existsSync(path)) {
    const sharp = await getSharp();
    await sharp(SAMPLE_SCENE).resize(1280, 960, { fit: 'fill', kernel: 'cubic' }).jpeg({ quality: 90 }).toFile(path);
  }
  return path;
}

/** A hover over the sample scene with the extension's defaults: the bundled model, the 24 shapes-world labels, the shapes-world template. */
export function sampleHover(ep: ExecutionProviderSetting): PreviewRequest {
  return {
    path: SAMPLE_SCENE,
    caption: 'a red circle',
    maxImageBytes: 20 * 2 ** 20,
    settings: {
      model: '',
      executionProvider: ep,
      labels: ALL_KINDS.map((k) => `${k.colour} ${k.shape}`),
      promptTemplates: ['a {label}'],
      rollout: { headFusion: 'mean', startLayer: 0, residual: true },
      maxImagePixels: DEFAULT_MAX_PIXELS,
    },
  };
}
