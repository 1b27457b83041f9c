/**
 * Decodes an image file or buffer to 8-bit RGB the way PIL's `Image.open(...).convert('RGB')` does, which is
 * what CLIPImageProcessor sees:
 * - alpha is DROPPED, not composited onto a background: a fully transparent pixel keeps its stored RGB;
 * - grey is replicated to three channels, palettes are expanded;
 * - CMYK and 16-bit images become 8-bit sRGB (PIL would clip 16-bit grey instead of scaling: we scale);
 * - embedded ICC profiles are ignored and EXIF orientation is NOT applied, as PIL's convert does neither;
 * - multi-frame images (animated GIF/WebP, multi-page TIFF) give their first frame.
 * A resize asked for here happens in the same sharp pipeline as the decode when that gives the same pixels
 * as resizing the decoded RGB (8-bit images without alpha), and after a full decode otherwise.
 */
import { badInput } from '../../core/errors';
import type { Sharp } from 'sharp';
import type { Size2D } from '../model/preprocessorConfig';
import { readImageFile } from './imageFile';
import { looksLikeSvg, rasterFormat, SUPPORTED_FORMATS } from './imageFormat';

/** An image as interleaved 8-bit RGB rows. */
export interface RgbImage {
  data: Uint8Array;
  /** The size of `data`: the file's size, the size it was resized to, or the crop's. */
  width: number;
  height: number;
  /** Whether the plan's crop was applied; it is not when the resize enlarges (see decodeRgb). */
  cropped: boolean;
  /** The file's own size. */
  sourceWidth: number;
  sourceHeight: number;
  /** The decoder's format name, e.g. 'png', 'jpeg', 'gif'. */
  format: string;
  /** Frames or pages in the file; only the first was decoded. */
  frames: number;
}

/** sharp's resampling kernels that the decoders use. */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

/** A resize planned from the file's size; `exact: false` lets JPEG/WebP decode at a reduced size first (previews). */
export interface ResizePlan {
  size: Size2D;
  kernel: ResizeKernel;
  exact?: boolean;
  /** A region of the resized image to keep, inside it; the rest of the resize is never computed. Not applied when the resize enlarges. */
  crop?: { left: number; top: number; width: number; height: number };
}

const loadSharp = () => import('sharp').then((m) => m.default);
let sharpPromise: ReturnType<typeof loadSharp> | undefined;

/** sharp is loaded on first use so that activating the extension stays cheap. */
export function getSharp(): ReturnType<typeof loadSharp> {
  sharpPromise ??= loadSharp();
  return sharpPromise;
}

/** What a resize may make in memory, in multiples of the pixel limit: room for elongated images enlarged to the model's size. */
const RESIZE_HEADROOM = 4;
const DECODE = { pages: 1, page: 0, failOn: 'error', autoOrient: false, ignoreIcc: true } as const;

/**
 * Decodes `source` (a path or the file's bytes); refuses images over `maxPixels` before decoding them, and
 * resizes over `maxPixels` before making them. `plan`, given the file's size, says what size to resize to and
 * what to keep of it (undefined: keep the size).
 */
export async function decodeRgb(
  source: string | Uint8Array,
  maxPixels: number,
  plan?: (width: number, height: number) => ResizePlan | undefined,
): Promise<RgbImage> {
  const label = typeof source === 'string' ? source : 'The image data';
  if (typeof source !== 'string' && source.length === 0) throw badInput('The image data is empty (0 bytes).', `Pass the bytes of a ${SUPPORTED_FORMATS} image.`);

  const sharp = await getSharp();
  // A path is read into memory first: libvips could map a file that shrinks while it decodes (SIGBUS).
  const input = typeof source === 'string' ? await readImageFile(source, maxPixels) : Buffer.from(source.buffer, source.byteOffset, source.length);
  if (!rasterFormat(input)) {
    if (looksLikeSvg(input)) throw badInput(`${label} is an SVG (or other XML) drawing, which is not decoded.`, `Export the drawing as PNG first; the lens reads ${SUPPORTED_FORMATS} images.`);
    throw notAnImage(label, new Error('unsupported image format: its first bytes match none of the supported formats'));
  }
  // Headers only: a decompression bomb is measured here and refused before any pixel is decoded.
  const meta = await sharp(input, { ...DECODE, limitInputPixels: false }).metadata().catch((e: unknown) => {
    throw notAnImage(label, e);
  });
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > maxPixels) {
    throw badInput(
      `${label}: ${width}x${height} is ${pixelCount(width * height)}, over the limit of ${pixelCount(maxPixels)}.`,
      'If you trust this image, raise the limit (the maxPixels option, or the image pixel limit setting); otherwise downscale it first.',
    );
  }
  const wanted = plan?.(width, height);
  const resize = wanted && (wanted.size.width !== width || wanted.size.height !== height || wanted.crop) ? wanted : undefined;
  // libvips computes only what a crop keeps, but when enlarging, its nearest and bilinear kernels give other pixels
  // at a crop's edge than in the whole resize: then the whole resize is made and cropped afterwards.
  const enlarges = resize !== undefined && (resize.size.width > width || resize.size.height > height);
  const cropInPipeline = resize?.crop && !enlarges ? resize.crop : undefined;
  const made = cropInPipeline ?? resize?.size ?? { width, height };
  // An elongated image can be small and still resize to a huge one (50000x1 at shortest edge 224 is 11200000x224).
  if (made.width * made.height > RESIZE_HEADROOM * maxPixels) {
    throw badInput(
      `${label}: ${width}x${height} would be resized to ${made.width}x${made.height}, ${pixelCount(made.width * made.height)}, over ${RESIZE_HEADROOM} times the limit of ${pixelCount(maxPixels)}.`,
      'Crop the image to a less elongated shape first, or, if you trust it, raise the limit (the maxPixels option, or the image pixel limit setting).',
    );
  }
  const step = resize && { ...resize, crop: cropInPipeline };
  // sharp premultiplies alpha before resizing and resizes 16-bit images at 16 bits; PIL drops alpha and goes to
  // 8 bits first, so such images are decoded in full and resized afterwards.
  const inOnePass = step && !meta.hasAlpha && (meta.depth === undefined || meta.depth === 'uchar');
  let pipeline = sharp(input, { ...DECODE, limitInputPixels: maxPixels }).removeAlpha().toColourspace('srgb');
  if (inOnePass) pipeline = withResize(step.exact === false ? pipeline : pipeline.extract({ left: 0, top: 0, width, height }), step);
  const { data, info } = await pipeline
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => {
      throw notAnImage(label, e);
    });
  if (info.channels !== 3) throw new Error(`Decoding ${label} gave ${info.channels} channels, expected 3.`);
  const pixels = step && !inOnePass ? await resizeRaw(sharp, data, info, step) : data;
  const size = step ? made : { width: info.width, height: info.height };
  return { data: pixels, ...size, cropped: cropInPipeline !== undefined, sourceWidth: width, sourceHeight: height, format: meta.format ?? 'unknown', frames: meta.pages ?? 1 };
}

/**
 * `fit: 'fill'` gives the exact size asked; without `exact: false` the pipeline above starts with an extract of the
 * whole image, which is how sharp is told not to decode JPEGs at a reduced size (that changes the pixels).
 */
function withResize(pipeline: Sharp, resize: ResizePlan): Sharp {
  const resized = pipeline.resize(resize.size.width, resize.size.height, { fit: 'fill', kernel: resize.kernel });
  return resize.crop ? resized.extract(resize.crop) : resized;
}

function resizeRaw(sharp: Awaited<ReturnType<typeof getSharp>>, rgb: Buffer, from: { width: number; height: number }, resize: ResizePlan): Promise<Buffer> {
  const raw = { width: from.width, height: from.height, channels: 3 as const };
  return withResize(sharp(rgb, { raw, limitInputPixels: false }), resize).raw().toBuffer();
}

function notAnImage(label: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return badInput(
    `${label} is not a readable image (${reason}).`,
    `Use a ${SUPPORTED_FORMATS} image; if it is one, it is truncated or corrupt: save or download it again.`,
  );
}

function pixelCount(pixels: number): string {
  return pixels >= 1e6 ? `${Number((pixels / 1e6).toFixed(1))} megapixels` : `${pixels} pixels`;
}
