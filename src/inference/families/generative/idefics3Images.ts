/**
 * Idefics3 / SmolVLM images, as Hugging Face's Idefics3ImageProcessor and Idefics3Processor make them (and as
 * transformers.js lays the prompt out): the longest edge resized to size.longest_edge (the other side kept even),
 * both sides up to multiples of the tile (max_image_size.longest_edge), the image cut into rows x cols tiles and
 * followed by the whole image resized to one tile, each resize with Pillow's filter on 8-bit pixels, then rescaled
 * and normalised. The vision encoder takes [batch, tiles, 3, tile, tile] with a pixel attention mask, and its
 * connector's pixel shuffle makes one token of each scale x scale block of patches, so a tile's tokens are a
 * smaller grid over the same tile. In the prompt, each tile is `<fake_token_around_image><row_R_col_C>` and its
 * image tokens, a line break after each row of tiles, then the whole image as
 * `<fake_token_around_image><global-img>` + its tokens + `<fake_token_around_image>`.
 */
import type { Tensor } from 'onnxruntime-node';
import { badInput } from '../../../core/errors';
import { decodeRgb } from '../../images/imageDecode';
import { pilResizeRgb } from '../../images/pilResample';
import { DEFAULT_MAX_PIXELS, toNormalizedChw, type PreprocessedImage } from '../../images/preprocess';
import type { PreprocessorConfig, Size2D } from '../../model/preprocessorConfig';
import type { OnnxValueInfo } from '../../onnx/onnxTypes';
import { findInput } from '../../runtime/graphInputs';
import type { OrtModule } from '../../runtime/sessions';
import type { ImageTokens, TokenTile } from '../../../shared/generationResult';
import type { ImagePlacement } from './imagePlacement';
import { greyCell } from './tokenOcclusion';

/** Idefics3's largest side after the first resize (MAX_IMAGE_SIZE in image_processing_idefics3.py). */
const MAX_IMAGE_SIZE = 4096;
const FAKE = '<fake_token_around_image>';
const GLOBAL = '<global-img>';

/** Idefics3 image handling for a folder's tiling preprocessor and image token. */
export function idefics3Images(ort: OrtModule, cfg: PreprocessorConfig & { tiling: NonNullable<PreprocessorConfig['tiling']> }, imageToken: string, file: string): ImagePlacement {
  const tile = cfg.tiling.tileSize;
  return {
    family: 'idefics3',
    riseUnavailable: 'its image is split into tiles that overlap the whole image, so one random mask would have to be made again for every tile, which is not done yet',
    occludeToken(pixels, image, token, tokens, grey) {
      const perTile = tokens / tilesOf(image).count;
      const side = Math.round(Math.sqrt(perTile));
      const [t, k] = [Math.floor(token / perTile), token % perTile];
      greyCell(pixels, t * 3 * tile * tile, { height: tile, width: tile }, { rows: side, cols: side }, Math.floor(k / side), k % side, grey);
    },
    async preprocess(source, maxPixels = DEFAULT_MAX_PIXELS): Promise<PreprocessedImage> {
      const image = await decodeRgb(source, maxPixels);
      const from = { width: image.width, height: image.height };
      const notes = image.frames > 1 ? [`The image has ${image.frames} frames; the first frame was used.`] : [];
      const first = scaleBelow(rescaleToMaxLen(from, cfg.tiling.longestEdge), MAX_IMAGE_SIZE);
      let rgb = pilResizeRgb(image.data, from, first, cfg.resample);
      let resized = first;
      const frames: Uint8Array[] = [];
      let [rows, cols] = [0, 0];
      if (cfg.tiling.split) {
        resized = toTileMultiples(first, tile);
        rgb = pilResizeRgb(rgb, first, resized, cfg.resample);
        if (resized.height > tile || resized.width > tile) {
          [rows, cols] = [Math.ceil(resized.height / tile), Math.ceil(resized.width / tile)];
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) frames.push(cropRgb(rgb, resized, c * tile, r * tile, tile));
        }
      }
      const square = { height: tile, width: tile };
      frames.push(resized.height === tile && resized.width === tile ? rgb : pilResizeRgb(rgb, resized, square, cfg.resample));
      const pixels = new Float32Array(frames.length * 3 * tile * tile);
      frames.forEach((frame, i) => pixels.set(toNormalizedChw(frame, square, cfg), i * 3 * tile * tile));
      return { pixels, outputSize: square, width: image.sourceWidth, height: image.sourceHeight, format: image.format, notes, tiles: { rows, cols, count: frames.length, resized } };
    },
    encoderFeeds(pixels: Float32Array, count: number, image: PreprocessedImage, inputs: OnnxValueInfo[]): Record<string, Tensor> {
      const tiles = image.tiles?.count ?? 1;
      const pixelInput = findInput(file, inputs, 'pixel_values', (i) => i.shape?.length === 5, 'pixel');
      const feeds: Record<string, Tensor> = { [pixelInput.name]: new ort.Tensor('float32', pixels, [count, tiles, 3, tile, tile]) };
      if (inputs.some((i) => i.name === 'pixel_attention_mask')) {
        // One image per batch row: every tile is real, every pixel in it too (transformers.js's mask for a batch of one).
        feeds.pixel_attention_mask = new ort.Tensor('bool', new Array<boolean>(count * tiles * tile * tile).fill(true), [count, tiles, tile, tile]);
      }
      return feeds;
    },
    promptText(image, tokens) {
      const { rows, cols, count } = tilesOf(image);
      const perTile = tokens / count;
      if (!Number.isInteger(perTile)) throw badInput(`The vision encoder gave ${tokens} features for ${count} tiles.`, 'Use the vision_encoder.onnx exported with this model.');
      const tokensText = imageToken.repeat(perTile);
      const whole = `${FAKE}${GLOBAL}${tokensText}${FAKE}`;
      if (rows === 0) return whole;
      let text = '';
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) text += `${FAKE}<row_${r + 1}_col_${c + 1}>${tokensText}`;
        text += '\n';
      }
      return `${text}\n${whole}`;
    },
    layout(path, image, positions): ImageTokens {
      const { rows, cols, count, resized } = tilesOf(image);
      const perTile = positions.length / count;
      const side = Math.round(Math.sqrt(perTile));
      const [grid, across] = side * side === perTile ? [side, side] : [1, perTile];
      const [sx, sy] = [image.width / resized.width, image.height / resized.height];
      const boxes: [number, number, number, number][] = [];
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) boxes.push([c * tile * sx, r * tile * sy, (c + 1) * tile * sx, (r + 1) * tile * sy]);
      boxes.push([0, 0, image.width, image.height]);
      const tiles: TokenTile[] = boxes.map((box, i) => ({ rows: grid, cols: across, box, global: i === boxes.length - 1, tokens: [i * perTile, (i + 1) * perTile] }));
      const regions = positions.map((_, t): [number, number, number, number] => {
        const [x0, y0, x1, y1] = tiles[Math.floor(t / perTile)].box;
        const k = t % perTile;
        const [r, c] = [Math.floor(k / across), k % across];
        const [w, h] = [(x1 - x0) / across, (y1 - y0) / grid];
        return [x0 + c * w, y0 + r * h, x0 + (c + 1) * w, y0 + (r + 1) * h];
      });
      return {
        path, width: image.width, height: image.height, inputSize: { ...image.outputSize }, span: [positions[0], positions[positions.length - 1] + 1],
        positions, rows: grid, cols: across, regions, tiles,
      };
    },
  };
}

function tilesOf(image: PreprocessedImage): NonNullable<PreprocessedImage['tiles']> {
  return image.tiles ?? { rows: 0, cols: 0, count: 1, resized: image.outputSize };
}

/** _resize_output_size_rescale_to_max_len: the longest edge to `max`, the other side truncated and made even. */
function rescaleToMaxLen({ width, height }: Size2D, max: number): Size2D {
  const aspect = width / height;
  const even = (side: number) => side + (side % 2);
  return width >= height
    ? { width: max, height: Math.max(even(Math.trunc(max / aspect)), 1) }
    : { height: max, width: Math.max(even(Math.trunc(max * aspect)), 1) };
}

/** _resize_output_size_scale_below_upper_bound: the longest edge down to `max` when it is longer. */
function scaleBelow({ width, height }: Size2D, max: number): Size2D {
  const aspect = width / height;
  if (width >= height && width > max) return { width: max, height: Math.max(Math.trunc(max / aspect), 1) };
  if (height > width && height > max) return { height: max, width: Math.max(Math.trunc(max * aspect), 1) };
  return { width, height };
}

/** resize_for_vision_encoder: both sides up to multiples of the tile, the aspect ratio deciding the short side first. */
function toTileMultiples({ width, height }: Size2D, tile: number): Size2D {
  const aspect = width / height;
  if (width >= height) {
    const w = Math.ceil(width / tile) * tile;
    return { width: w, height: Math.ceil(Math.trunc(w / aspect) / tile) * tile };
  }
  const h = Math.ceil(height / tile) * tile;
  return { height: h, width: Math.ceil(Math.trunc(h * aspect) / tile) * tile };
}

/** A `side` x `side` crop at (left, top) of interleaved RGB of `size`. */
function cropRgb(rgb: Uint8Array, size: Size2D, left: number, top: number, side: number): Uint8Array {
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) out.set(rgb.subarray(((top + y) * size.width + left) * 3, ((top + y) * size.width + left + side) * 3), y * side * 3);
  return out;
}
