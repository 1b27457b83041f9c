/**
 * What differs between generative families in how an image enters the prompt: the processor's preprocessing,
 * the vision encoder's inputs, the prompt text that stands for the image, and where each image token lies on the
 * image. LLaVA (llavaImages.ts): one resized, centre-cropped image, one token per patch, the image token repeated.
 * Idefics3 / SmolVLM (idefics3Images.ts): tiles plus the whole image, pixel-shuffled tokens, row / column markers.
 * Qwen2-VL (qwen2vlImages.ts): flattened patches, merged tokens, and three rows of positions (time, height, width).
 */
import type { Tensor } from 'onnxruntime-node';
import type { PreprocessedImage } from '../../images/preprocess';
import type { OnnxValueInfo } from '../../onnx/onnxTypes';
import type { ImageTokens } from '../../../shared/generationResult';

/** A family's image handling (see the file comment). */
export interface ImagePlacement {
  /** The family's name, as results and inspect give it. */
  readonly family: string;
  /** The image as the family's processor prepares it. */
  preprocess(source: string | Uint8Array, maxPixels?: number): Promise<PreprocessedImage>;
  /** The vision encoder's inputs for `count` images of `image`'s form laid one after another in `pixels`. */
  encoderFeeds(pixels: Float32Array, count: number, image: PreprocessedImage, inputs: OnnxValueInfo[]): Record<string, Tensor>;
  /** The prompt text one image becomes, given the number of features the encoder gave it. */
  promptText(image: PreprocessedImage, tokens: number): string;
  /** The image's tokens on the image: `positions` are their places in the prompt, in feature order. */
  layout(path: string, image: PreprocessedImage, positions: number[]): ImageTokens;
  /**
   * Hides image token `token` (of the image's `tokens`) in `pixels`, one image of `image`'s form: the input it is
   * made from becomes `grey`, one value per channel.
   */
  occludeToken(pixels: Float32Array, image: PreprocessedImage, token: number, tokens: number, grey: number[]): void;
  /** Why RISE cannot be made (its masks need one plain image), when it cannot. */
  readonly riseUnavailable?: string;
  /** The most images the vision encoder takes in one run, when it takes fewer than a batch (one image per call). */
  readonly maxBatch?: number;
  /** Multimodal rotary positions (Qwen2-VL) of the prompt `ids` holding `images`; absent: positions count from 0. */
  ropePositions?(ids: number[], images: PreprocessedImage[]): RopePositions;
}

/** Three rows of positions (time, height, width) for the prompt, and the offset of every position after it. */
export interface RopePositions {
  rows: [number[], number[], number[]];
  /** A token at sequence index i past the prompt has position i + delta in all three rows. */
  delta: number;
}
