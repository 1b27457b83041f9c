/**
 * preprocessor_config.json normalised. Reads both the old CLIPFeatureExtractor spelling (`size: 224`,
 * `crop_size: 224`) and the newer image-processor one (`{shortest_edge}`, `{height, width}`); absent fields
 * take the defaults of the processor class the file names, as transformers does.
 */
import { FieldReader, isJsonObject, type JsonObject } from './configFields';
import { quoteJson } from '../../core/quoteJson';
import { badModel } from '../../core/errors';

/** Pillow's resampling filters, all reproduced exactly. */
export type ResampleFilter = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos' | 'box' | 'hamming';

/** An exact height and width in pixels. */
export interface Size2D {
  height: number;
  width: number;
}

/** How images become the model's pixel tensor, in the order CLIPImageProcessor applies the steps. */
export interface PreprocessorConfig {
  resize: boolean;
  /** A number: the short side becomes this, aspect kept. An object: resized to exactly that size. */
  shortestEdge: number | Size2D;
  resample: ResampleFilter;
  centerCrop: boolean;
  cropSize: Size2D;
  rescale: boolean;
  rescaleFactor: number;
  normalize: boolean;
  mean: [number, number, number];
  std: [number, number, number];
  convertRgb: boolean;
  /**
   * Idefics3ImageProcessor (SmolVLM): the longest edge is resized to `longestEdge`, then, when `split`, both sides up
   * to multiples of `tileSize` and the image cut into tiles with the whole image resized to one tile after them;
   * without `split`, the image is resized to one tile. `shortestEdge` is then that tile's size.
   */
  tiling?: { longestEdge: number; tileSize: number; split: boolean };
  /**
   * Qwen2VLImageProcessor: the image resized so that both sides are multiples of patchSize x mergeSize and its area
   * within [minPixels, maxPixels] (smart_resize), then cut into patches, the frame repeated to temporalPatchSize.
   */
  patching?: { minPixels: number; maxPixels: number; patchSize: number; temporalPatchSize: number; mergeSize: number };
  /**
   * ViltImageProcessor: the short side to `shortestEdge` with the long side capped at int(shortestEdge x 1333 / 800),
   * both rounded to whole pixels and then down to multiples of this (its get_resize_output_image_size); no crop.
   */
  sizeDivisor?: number;
  /** Things a user should know about how the file was read. */
  notes: string[];
}

const FILE = 'preprocessor_config.json';

/** PIL's resampling codes, as HF configs store them. */
const pilResample: ResampleFilter[] = ['nearest', 'lanczos', 'bilinear', 'bicubic', 'box', 'hamming'];

type Triple = [number, number, number];
const OPENAI_CLIP_MEAN: Triple = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_CLIP_STD: Triple = [0.26862954, 0.26130258, 0.27577711];

/** Processor classes that tile the image (Idefics3ImageProcessor and SmolVLM's, which is the same). */
const TILING_PROCESSORS = /^(Idefics3|SmolVLM)ImageProcessor/;
/** Processor classes that cut the image into flattened patches (Qwen2-VL's, and Qwen2.5-VL's, which is the same). */
const PATCHING_PROCESSORS = /^Qwen2(_5)?VLImageProcessor/;
/** ViLT's processor classes (ViltFeatureExtractor is the older name of the same). */
const DIVISOR_PROCESSORS = /^Vilt(ImageProcessor|FeatureExtractor)/;

/** The defaults of the HF processor classes we know; anything else reads as CLIPImageProcessor. */
function classDefaults(processorType: string) {
  // Idefics3ImageProcessor: LANCZOS, IDEFICS_STANDARD_MEAN / STD, size {longest_edge: 4 x 364}, tiles of 364.
  // Qwen2VLImageProcessor: BICUBIC and OpenAI CLIP's mean and std, no crop.
  if (PATCHING_PROCESSORS.test(processorType)) {
    return { size: { height: 56, width: 56 } as number | Size2D, resample: 3, centerCrop: false, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD };
  }
  if (TILING_PROCESSORS.test(processorType)) {
    return { size: { height: 364, width: 364 } as number | Size2D, resample: 1, centerCrop: false, mean: [0.5, 0.5, 0.5] as Triple, std: [0.5, 0.5, 0.5] as Triple };
  }
  // ViltImageProcessor: shortest edge 384, BICUBIC, IMAGENET_STANDARD_MEAN / STD (0.5), no crop.
  if (DIVISOR_PROCESSORS.test(processorType)) {
    return { size: 384 as number | Size2D, resample: 3, centerCrop: false, mean: [0.5, 0.5, 0.5] as Triple, std: [0.5, 0.5, 0.5] as Triple };
  }
  if (processorType.startsWith('Siglip')) {
    return { size: { height: 224, width: 224 } as number | Size2D, resample: 2, centerCrop: false, mean: [0.5, 0.5, 0.5] as Triple, std: [0.5, 0.5, 0.5] as Triple };
  }
  // BlipImageProcessor resizes to an exact size and has no centre crop.
  if (processorType.startsWith('Blip')) {
    return { size: { height: 384, width: 384 } as number | Size2D, resample: 3, centerCrop: false, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD };
  }
  return { size: 224 as number | Size2D, resample: 3, centerCrop: true, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD };
}

/** Normalises parsed preprocessor_config.json; throws a badModel error naming the field for invalid values. */
export function parsePreprocessorConfig(json: unknown): PreprocessorConfig {
  if (!isJsonObject(json)) throw badModel(FILE, 'must hold a JSON object', 'Export the model again.');
  const reader = new FieldReader(FILE);
  const notes: string[] = [];
  // Only a string names a class: String() of an object such as {"toString": 0} would throw.
  const named = json.image_processor_type ?? json.feature_extractor_type;
  const type = typeof named === 'string' ? named : '';
  const defaults = classDefaults(type);

  const tiling = TILING_PROCESSORS.test(type) ? parseTiling(json, reader) : undefined;
  const patching = PATCHING_PROCESSORS.test(type) ? parsePatching(json, reader) : undefined;
  const shortestEdge = tiling ? { height: tiling.tileSize, width: tiling.tileSize } : patching ? smallestSquare(patching) : absent(json.size) ? defaults.size : parseSize(json.size, reader, notes);
  // CLIPImageProcessor's crop default is 224 whatever the resize size, so a config without crop_size does that too.
  const crop = absent(json.crop_size) ? { height: 224, width: 224 } : parseCrop(json.crop_size, reader);
  return {
    resize: reader.boolean(json, 'do_resize') ?? true,
    shortestEdge,
    resample: parseResample(json.resample ?? defaults.resample, reader),
    centerCrop: reader.boolean(json, 'do_center_crop') ?? defaults.centerCrop,
    cropSize: crop,
    rescale: reader.boolean(json, 'do_rescale') ?? true,
    rescaleFactor: reader.number(json, 'rescale_factor', 'positive') ?? 1 / 255,
    normalize: reader.boolean(json, 'do_normalize') ?? true,
    mean: parseTriple(json, 'image_mean', reader, false) ?? defaults.mean,
    std: parseTriple(json, 'image_std', reader, true) ?? defaults.std,
    convertRgb: reader.boolean(json, 'do_convert_rgb') ?? true,
    ...(tiling ? { tiling } : {}),
    ...(patching ? { patching } : {}),
    ...(DIVISOR_PROCESSORS.test(type) ? { sizeDivisor: reader.number(json, 'size_divisor', 'positiveInt') ?? 32 } : {}),
    notes,
  };
}

/** Qwen2VLImageProcessor's fields (min_pixels / max_pixels, or the newer size.shortest_edge / size.longest_edge, which hold the same). */
function parsePatching(json: JsonObject, reader: FieldReader): NonNullable<PreprocessorConfig['patching']> {
  const size = reader.object(json, 'size') ?? {};
  const pixels = (key: string, sizeKey: string, fallback: number) => reader.number(json, key, 'positiveInt') ?? reader.number(size, sizeKey, 'positiveInt', `size.${sizeKey}`) ?? fallback;
  return {
    minPixels: pixels('min_pixels', 'shortest_edge', 56 * 56),
    maxPixels: pixels('max_pixels', 'longest_edge', 28 * 28 * 1280),
    patchSize: reader.number(json, 'patch_size', 'positiveInt') ?? 14,
    temporalPatchSize: reader.number(json, 'temporal_patch_size', 'positiveInt') ?? 2,
    mergeSize: reader.number(json, 'merge_size', 'positiveInt') ?? 2,
  };
}

/** The smallest square a patching processor keeps as it is: the side of min_pixels, up to a multiple of patch x merge. */
function smallestSquare({ minPixels, patchSize, mergeSize }: NonNullable<PreprocessorConfig['patching']>): Size2D {
  const factor = patchSize * mergeSize;
  const side = Math.ceil(Math.sqrt(minPixels) / factor) * factor;
  return { height: side, width: side };
}

/** Idefics3's size.longest_edge, max_image_size.longest_edge and do_image_splitting (the processor's defaults when absent). */
function parseTiling(json: JsonObject, reader: FieldReader): NonNullable<PreprocessorConfig['tiling']> {
  const longest = (key: string, fallback: number) => {
    const obj = reader.object(json, key);
    return checkSides(obj ? reader.number(obj, 'longest_edge', 'positiveInt', `${key}.longest_edge`) ?? fallback : fallback, `${key}.longest_edge`, reader);
  };
  return { longestEdge: longest('size', 4 * 364), tileSize: longest('max_image_size', 364), split: reader.boolean(json, 'do_image_splitting') ?? true };
}

/**
 * The size every preprocessed image has, when it does not depend on the image: the crop, or an exact resize
 * without one (SigLIP). A shortest-edge resize without a crop keeps each image's aspect: undefined.
 */
export function fixedOutputSize(cfg: PreprocessorConfig): Size2D | undefined {
  if (cfg.centerCrop) return cfg.cropSize;
  return cfg.resize && typeof cfg.shortestEdge !== 'number' ? cfg.shortestEdge : undefined;
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * The largest resize or crop side we accept: real processors use at most a few hundred pixels, and a side of
 * 1e9 from a corrupt file would only fail later, deep in the resize or an allocation.
 */
const MAX_SIDE = 8192;

function checkSides<T extends number | Size2D>(value: T, path: string, reader: FieldReader): T {
  const sides: [string, number][] = typeof value === 'number' ? [[path, value]] : [[`${path}.height`, value.height], [`${path}.width`, value.width]];
  for (const [where, side] of sides) {
    if (side > MAX_SIDE) throw reader.invalid(where, `is ${side} pixels; at most ${MAX_SIDE} is supported`);
  }
  return value;
}

function parseSize(value: unknown, reader: FieldReader, notes: string[]): number | Size2D {
  return checkSides(parseSizeField(value, reader, notes), 'size', reader);
}

function parseSizeField(value: unknown, reader: FieldReader, notes: string[]): number | Size2D {
  const wrapped: JsonObject = { size: value };
  if (typeof value === 'number') return reader.number(wrapped, 'size', 'positiveInt') as number;
  const obj = reader.object(wrapped, 'size') as JsonObject;
  const shortest = reader.number(obj, 'shortest_edge', 'positiveInt', 'size.shortest_edge');
  if (shortest !== undefined) {
    if (obj.longest_edge !== undefined) notes.push('preprocessor_config.json: size.longest_edge is ignored (CLIP-style resize).');
    return shortest;
  }
  return parseHeightWidth(obj, 'size', reader);
}

function parseCrop(value: unknown, reader: FieldReader): Size2D {
  const wrapped: JsonObject = { crop_size: value };
  if (typeof value === 'number') {
    const side = checkSides(reader.number(wrapped, 'crop_size', 'positiveInt') as number, 'crop_size', reader);
    return { height: side, width: side };
  }
  return checkSides(parseHeightWidth(reader.object(wrapped, 'crop_size') as JsonObject, 'crop_size', reader), 'crop_size', reader);
}

function parseHeightWidth(obj: JsonObject, path: string, reader: FieldReader): Size2D {
  const height = reader.number(obj, 'height', 'positiveInt', `${path}.height`);
  const width = reader.number(obj, 'width', 'positiveInt', `${path}.width`);
  if (height === undefined || width === undefined) {
    throw reader.invalid(path, `must be a number, {"shortest_edge": n} or {"height": h, "width": w}, got ${quoteJson(obj)}`);
  }
  return { height, width };
}

function parseResample(value: unknown, reader: FieldReader): ResampleFilter {
  const code = typeof value === 'string' ? pilResample.indexOf(value.toLowerCase() as ResampleFilter) : value;
  const mapped = typeof code === 'number' && Number.isInteger(code) ? pilResample[code] : undefined;
  if (!mapped) {
    throw reader.invalid('resample', `must be a PIL resampling code 0-5 (3 = bicubic), got ${quoteJson(value)}`);
  }
  return mapped;
}

/** image_mean / image_std: three numbers, or one number for all channels (HF accepts both). */
function parseTriple(json: JsonObject, key: string, reader: FieldReader, positive: boolean): Triple | undefined {
  const value = json[key];
  if (absent(value)) return undefined;
  const rule = positive ? 'positive' : 'any';
  if (typeof value === 'number') {
    const one = reader.number(json, key, rule) as number;
    if (positive) checkDivisor(one, key, reader);
    return [one, one, one];
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number')) {
    throw reader.invalid(key, `must be a list of 3 numbers (one per RGB channel), got ${quoteJson(value)}`);
  }
  return value.map((v, i) => {
    const one = reader.number({ v }, 'v', rule, `${key}[${i}]`) as number;
    if (positive) checkDivisor(one, `${key}[${i}]`, reader);
    return one;
  }) as Triple;
}

/** Pixels are divided by image_std in float32: a value this small becomes 0 there (1e-320) or blows every pixel up. */
const MIN_STD = 1e-6;

function checkDivisor(value: number, path: string, reader: FieldReader): void {
  if (value < MIN_STD) throw reader.invalid(path, `is ${value}, too small to divide pixels by (under ${MIN_STD}; it becomes 0 or infinite in float32)`);
}
