/**
 * Qwen2-VL images, as Hugging Face's Qwen2VLImageProcessor and transformers.js's Qwen2VLForConditionalGeneration
 * make them: smart_resize (both sides rounded, as Python rounds, to multiples of patch x merge, the area kept within
 * [min_pixels, max_pixels]), Pillow's filter on 8-bit pixels, rescale and normalise, the frame repeated to the
 * temporal patch size and cut into patches flattened as channels x frames x patch x patch, merge x merge blocks of
 * patches one after another. The vision encoder takes those patches with grid_thw and merges each block into one
 * token, so the image token is repeated once per block. Positions are three rows (get_rope_index): text counts on in
 * all three, an image's tokens sit at (offset + frame, offset + block row, offset + block column), and the text after
 * an image starts one past the largest position so far; a generated token's position is its index plus the delta
 * that leaves (largest position + 1 - prompt length).
 */
import type { Tensor } from 'onnxruntime-node';
import { decodeRgb } from '../../images/imageDecode';
import { pilResizeRgb } from '../../images/pilResample';
import { DEFAULT_MAX_PIXELS, toNormalizedChw, type PreprocessedImage } from '../../images/preprocess';
import type { PreprocessorConfig, Size2D } from '../../model/preprocessorConfig';
import type { OnnxValueInfo } from '../../onnx/onnxTypes';
import { badInput } from '../../../core/errors';
import { findInput } from '../../runtime/graphInputs';
import type { OrtModule } from '../../runtime/sessions';
import type { ImageTokens } from '../../../shared/generationResult';
import type { ImagePlacement, RopePositions } from './imagePlacement';

type Patching = NonNullable<PreprocessorConfig['patching']>;

/** Qwen2-VL image handling for a folder's patching preprocessor, image token and vision start token. */
export function qwen2vlImages(ort: OrtModule, cfg: PreprocessorConfig & { patching: Patching }, imageToken: string, visionStartId: number, file: string): ImagePlacement {
  const { patchSize, temporalPatchSize, mergeSize } = cfg.patching;
  return {
    family: 'qwen2_vl',
    riseUnavailable: 'its encoder takes flattened patches, and RISE\'s masks over them are not made yet',
    // One image per run: the encoder attends over all the patches it is given.
    maxBatch: 1,
    occludeToken(pixels, _image, token, _tokens, grey) {
      // A merged token's mergeSize^2 patches are consecutive rows, each channels x frames x patch x patch.
      const row = 3 * temporalPatchSize * patchSize * patchSize;
      const perChannel = row / 3;
      for (let r = token * mergeSize * mergeSize; r < (token + 1) * mergeSize * mergeSize; r++) {
        for (let c = 0; c < 3; c++) pixels.fill(grey[c], r * row + c * perChannel, r * row + (c + 1) * perChannel);
      }
    },
    async preprocess(source, maxPixels = DEFAULT_MAX_PIXELS): Promise<PreprocessedImage> {
      const image = await decodeRgb(source, maxPixels);
      const size = smartResize({ width: image.width, height: image.height }, cfg.patching);
      const chw = toNormalizedChw(pilResizeRgb(image.data, { width: image.width, height: image.height }, size, cfg.resample), size, cfg);
      const notes = image.frames > 1 ? [`The image has ${image.frames} frames; the first frame was used.`] : [];
      const [gridH, gridW] = [size.height / patchSize, size.width / patchSize];
      return {
        pixels: flattenPatches(chw, size, cfg.patching), outputSize: size, width: image.sourceWidth, height: image.sourceHeight,
        format: image.format, notes, patches: { gridT: 1, gridH, gridW },
      };
    },
    encoderFeeds(pixels: Float32Array, count: number, image: PreprocessedImage, inputs: OnnxValueInfo[]): Record<string, Tensor> {
      const { gridT, gridH, gridW } = image.patches!;
      const pixelInput = findInput(file, inputs, 'pixel_values', (i) => i.shape?.length === 2, 'pixel');
      const gridInput = findInput(file, inputs, 'grid_thw', (i) => /grid/.test(i.name), 'grid_thw');
      const row = 3 * temporalPatchSize * patchSize * patchSize;
      return {
        [pixelInput.name]: new ort.Tensor('float32', pixels, [pixels.length / row, row]),
        [gridInput.name]: new ort.Tensor('int64', BigInt64Array.from([gridT, gridH, gridW].map(BigInt)), [count, 3]),
      };
    },
    promptText: (_image, tokens) => imageToken.repeat(tokens),
    layout(path, image, positions): ImageTokens {
      const { gridH, gridW } = image.patches!;
      const [rows, cols] = [gridH / mergeSize, gridW / mergeSize];
      const block = patchSize * mergeSize;
      const [sx, sy] = [image.width / image.outputSize.width, image.height / image.outputSize.height];
      const regions = positions.map((_, i): [number, number, number, number] => {
        const [r, c] = [Math.floor(i / cols) % rows, i % cols];
        return [c * block * sx, r * block * sy, (c + 1) * block * sx, (r + 1) * block * sy];
      });
      return {
        path, width: image.width, height: image.height, inputSize: { ...image.outputSize }, span: [positions[0], positions[positions.length - 1] + 1],
        positions, rows, cols, regions, tiles: [{ rows, cols, box: [0, 0, image.width, image.height], global: false, tokens: [0, positions.length] }],
      };
    },
    ropePositions(ids, images): RopePositions {
      return ropeIndex(ids, images.map((image) => image.patches!), mergeSize, visionStartId);
    },
  };
}

/** Python's round(): halves to even. */
function roundHalfEven(x: number): number {
  const nearest = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : nearest;
}

/** Qwen2VLImageProcessor's smart_resize. */
function smartResize({ width, height }: Size2D, { minPixels, maxPixels, patchSize, mergeSize }: Patching): Size2D {
  const factor = patchSize * mergeSize;
  if (height < factor || width < factor) throw badInput(`The image is ${width} x ${height} pixels; this model takes images of at least ${factor} x ${factor}.`, 'Use a larger image.');
  if (Math.max(width, height) / Math.min(width, height) > 200) throw badInput(`The image is ${width} x ${height} pixels, more than 200 times longer than wide; this model's processor refuses that.`, 'Crop the image to a less elongated shape.');
  let [h, w] = [roundHalfEven(height / factor) * factor, roundHalfEven(width / factor) * factor];
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    [h, w] = [Math.floor(height / beta / factor) * factor, Math.floor(width / beta / factor) * factor];
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    [h, w] = [Math.ceil((height * beta) / factor) * factor, Math.ceil((width * beta) / factor) * factor];
  }
  return { width: w, height: h };
}

/** The processor's patch order: merge blocks row-major, patches row-major in a block, each channels x frames x rows x columns. */
function flattenPatches(chw: Float32Array, size: Size2D, { patchSize: p, temporalPatchSize: frames, mergeSize: m }: Patching): Float32Array {
  const [gridH, gridW] = [size.height / p, size.width / p];
  const row = 3 * frames * p * p;
  const out = new Float32Array(gridH * gridW * row);
  const plane = size.height * size.width;
  let at = 0;
  for (let bh = 0; bh < gridH / m; bh++) {
    for (let bw = 0; bw < gridW / m; bw++) {
      for (let mh = 0; mh < m; mh++) {
        for (let mw = 0; mw < m; mw++) {
          const [top, left] = [(bh * m + mh) * p, (bw * m + mw) * p];
          for (let c = 0; c < 3; c++) {
            for (let t = 0; t < frames; t++) {
              for (let y = 0; y < p; y++) for (let x = 0; x < p; x++) out[at++] = chw[c * plane + (top + y) * size.width + left + x];
            }
          }
        }
      }
    }
  }
  return out;
}

/** get_rope_index for the images of one prompt (see the file comment). */
function ropeIndex(ids: number[], grids: NonNullable<PreprocessedImage['patches']>[], mergeSize: number, visionStartId: number): RopePositions {
  const rows: [number[], number[], number[]] = [[], [], []];
  let next = 0;
  let at = 0;
  const text = (until: number) => {
    for (; at < until; at++, next++) for (const r of rows) r.push(next);
  };
  for (const { gridT, gridH, gridW } of grids) {
    const start = ids.indexOf(visionStartId, at);
    text(start + 1);
    const [h, w] = [gridH / mergeSize, gridW / mergeSize];
    for (let t = 0; t < gridT; t++) {
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          rows[0].push(next + t);
          rows[1].push(next + r);
          rows[2].push(next + c);
        }
      }
    }
    at += gridT * h * w;
    next += Math.max(gridT, h, w);
  }
  text(ids.length);
  return { rows, delta: next - ids.length };
}
