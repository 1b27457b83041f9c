/**
 * LLaVA's images (transformers.js models/llava, LlavaProcessor): the CLIP-style processor's one resized and
 * centre-cropped image, its patches' features one token each in row-major order, so the image token is repeated as
 * many times as the encoder gives features. A token's region is its patch, mapped back through the crop and the
 * resize onto the original image.
 */
import type { Tensor } from 'onnxruntime-node';
import { centerCropPlacement, resizeOutputSize } from '../../images/imageGeometry';
import { preprocessImage, type PreprocessedImage } from '../../images/preprocess';
import type { PreprocessorConfig } from '../../model/preprocessorConfig';
import type { OnnxValueInfo } from '../../onnx/onnxTypes';
import { findInput, isPixelInput } from '../../runtime/graphInputs';
import type { OrtModule } from '../../runtime/sessions';
import type { ImageTokens } from '../../../shared/generationResult';
import type { ImagePlacement } from './imagePlacement';
import { greyCell } from './tokenOcclusion';

/** LLaVA-style image handling for a folder's preprocessor and image token. */
export function llavaImages(ort: OrtModule, preprocessor: PreprocessorConfig, patchSize: number, imageToken: string, file: string): ImagePlacement {
  return {
    family: 'llava',
    preprocess: (source, maxPixels) => preprocessImage(source, preprocessor, { maxPixels }),
    encoderFeeds(pixels: Float32Array, count: number, image: PreprocessedImage, inputs: OnnxValueInfo[]): Record<string, Tensor> {
      const input = findInput(file, inputs, 'pixel_values', isPixelInput, 'pixel');
      return { [input.name]: new ort.Tensor('float32', pixels, [count, 3, image.outputSize.height, image.outputSize.width]) };
    },
    promptText: (_image, tokens) => imageToken.repeat(tokens),
    occludeToken(pixels, image, token, _tokens, grey) {
      const grid = { rows: Math.floor(image.outputSize.height / patchSize), cols: Math.floor(image.outputSize.width / patchSize) };
      greyCell(pixels, 0, image.outputSize, grid, Math.floor(token / grid.cols), token % grid.cols, grey);
    },
    layout(path, image, positions): ImageTokens {
      const { width, height } = image.outputSize;
      let [rows, cols] = [Math.floor(height / patchSize), Math.floor(width / patchSize)];
      if (rows * cols !== positions.length) [rows, cols] = [1, positions.length];
      const toOriginal = inputToOriginal(image, preprocessor);
      const regions = positions.map((_, i): [number, number, number, number] => {
        const [r, c] = [Math.floor(i / cols), i % cols];
        return toOriginal([c * width / cols, r * height / rows, (c + 1) * width / cols, (r + 1) * height / rows]);
      });
      const box = toOriginal([0, 0, width, height]);
      return {
        path, width: image.width, height: image.height, inputSize: { width, height }, span: [positions[0], positions[positions.length - 1] + 1],
        positions, rows, cols, regions, tiles: [{ rows, cols, box, global: false, tokens: [0, positions.length] }],
      };
    },
  };
}

/** A box in the model input's pixels as a box of the original image: back through the centre crop and the resize. */
function inputToOriginal(image: PreprocessedImage, cfg: PreprocessorConfig): (box: [number, number, number, number]) => [number, number, number, number] {
  const resized = cfg.resize ? resizeOutputSize(image.width, image.height, cfg.shortestEdge) : { width: image.width, height: image.height };
  const crop = cfg.centerCrop ? centerCropPlacement(resized.width, resized.height, cfg.cropSize) : { window: { left: 0, top: 0 }, x: 0, y: 0 };
  const [sx, sy] = [image.width / resized.width, image.height / resized.height];
  const [dx, dy] = [crop.window.left - crop.x, crop.window.top - crop.y];
  return ([x0, y0, x1, y1]) => [(x0 + dx) * sx, (y0 + dy) * sy, (x1 + dx) * sx, (y1 + dy) * sy];
}
