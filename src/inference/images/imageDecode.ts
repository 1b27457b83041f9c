/**
 * Decodes an image file or buffer to 8-bit RGB the way PIL's `Image.open(...).convert('RGB')` does, which is
 * what CLIPImageProcessor sees:
 * - alpha is DROPPED, not composited onto a background: a fully transparent pixel keeps its stored RGB;
 * - grey is replicated to three channels, palettes are expanded;
 * - CMYK and 16-bit images become 8-bit sRGB (PIL would clip 16-bit grey instead of scaling: we scale);
 * - embedded ICC profiles are ignored and EXIF orientation is NOT applied, as PIL's convert does neither;
 * - multi-frame images (animated GIF/WebP, multi-page TIFF) give their first frame.
 * Model inputs are resized afterwards, by pilResample.ts, as Pillow does; only display copies (previews) are shrunk
 * here, in the same sharp pipeline as the decode.
 */
import { badInput } from '../../core/errors';
import type { Size2D } from '../model/preprocessorConfig';
import { readImageFile } from './imageFile';
import { looksLikeSvg, rasterFormat, SUPPORTED_FORMATS } from './imageFormat';

/** An image as interleaved 8-bit RGB rows. */
export interface RgbImage {
  data: Uint8Array;
  /** The size of `data`: the file's size, or the display size it was shrunk to. */
  width: number;
  height: number;
  /** The file's own size. */
  sourceWidth: number;
  sourceHeight: number;
  /** The decoder's format name, e.g. 'png', 'jpeg', 'gif'. */
  format: string;
  /** Frames or pages in the file; only the first was decoded. */
  frames: number;
}

/** A display size for an image of the given size; JPEG and WebP may then decode at a reduced size first. */
export type DisplaySize = (width: number, height: number) => Size2D;

const loadSharp = () => import('sharp').then((m) => m.default);
let sharpPromise: ReturnType<typeof loadSharp> | undefined;

/** sharp is loaded on first use so that activating the extension stays cheap. */
export function getSharp(): ReturnType<typeof loadSharp> {
  sharpPromise ??= loadSharp();
  return sharpPromise;
}

const DECODE = { pages: 1, page: 0, failOn: 'error', autoOrient: false, ignoreIcc: true } as const;

/**
 * Decodes `source` (a path or the file's bytes); refuses images over `maxPixels` before decoding them. With
 * `displaySize` the image is shrunk (cubic) to the size it gives for the file's size, for display only.
 */
export async function decodeRgb(
  source: string | Uint8Array,
  maxPixels: number,
  displaySize?: DisplaySize,
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
  const shrink = displaySize?.(width, height);
  const resize = shrink && (shrink.width !== width || shrink.height !== height) ? shrink : undefined;
  // sharp premultiplies alpha before resizing and resizes 16-bit images at 16 bits; PIL drops alpha and goes to
  // 8 bits first, so such images are decoded in full and shrunk afterwards.
  const inOnePass = resize && !meta.hasAlpha && (meta.depth === undefined || meta.depth === 'uchar');
  let pipeline = sharp(input, { ...DECODE, limitInputPixels: maxPixels }).removeAlpha().toColourspace('srgb');
  if (inOnePass) pipeline = pipeline.resize(resize.width, resize.height, { fit: 'fill', kernel: 'cubic' });
  const { data, info } = await pipeline
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => {
      throw notAnImage(label, e);
    });
  if (info.channels !== 3) throw new Error(`Decoding ${label} gave ${info.channels} channels, expected 3.`);
  const pixels = resize && !inOnePass ? await shrinkRaw(sharp, data, info, resize) : data;
  const size = resize ?? { width: info.width, height: info.height };
  return { data: pixels, ...size, sourceWidth: width, sourceHeight: height, format: meta.format ?? 'unknown', frames: meta.pages ?? 1 };
}

function shrinkRaw(sharp: Awaited<ReturnType<typeof getSharp>>, rgb: Buffer, from: { width: number; height: number }, to: Size2D): Promise<Buffer> {
  const raw = { width: from.width, height: from.height, channels: 3 as const };
  return sharp(rgb, { raw, limitInputPixels: false }).resize(to.width, to.height, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
}

function notAnImage(label: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return badInput(
    `${label} is not a readable image (${reason}).`,
    `Use a ${SUPPORTED_FORMATS} image; if it is one, it is truncated or corrupt: save or download it again.`,
  );
}

/** A pixel count for messages: '3.1 megapixels', '480 pixels'. */
export function pixelCount(pixels: number): string {
  return pixels >= 1e6 ? `${Number((pixels / 1e6).toFixed(1))} megapixels` : `${pixels} pixels`;
}
