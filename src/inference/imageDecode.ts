/**
 * Decodes an image file or buffer to 8-bit RGB the way PIL's `Image.open(...).convert('RGB')` does, which is
 * what CLIPImageProcessor sees:
 * - alpha is DROPPED, not composited onto a background: a fully transparent pixel keeps its stored RGB;
 * - grey is replicated to three channels, palettes are expanded;
 * - CMYK and 16-bit images become 8-bit sRGB (PIL would clip 16-bit grey instead of scaling: we scale);
 * - embedded ICC profiles are ignored and EXIF orientation is NOT applied, as PIL's convert does neither;
 * - multi-frame images (animated GIF/WebP, multi-page TIFF) give their first frame.
 */
import { access, constants, stat } from 'node:fs/promises';
import { badInput } from './errors';

/** An image as interleaved 8-bit RGB rows. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** The decoder's format name, e.g. 'png', 'jpeg', 'gif'. */
  format: string;
  /** Frames or pages in the file; only the first was decoded. */
  frames: number;
}

const loadSharp = () => import('sharp').then((m) => m.default);
let sharpPromise: ReturnType<typeof loadSharp> | undefined;

/** sharp is loaded on first use so that activating the extension stays cheap. */
export function getSharp(): ReturnType<typeof loadSharp> {
  sharpPromise ??= loadSharp();
  return sharpPromise;
}

const FORMATS = 'PNG, JPEG, WebP, GIF, TIFF or AVIF';

/** Decodes `source` (a path or the file's bytes); refuses images over `maxPixels` before decoding them. */
export async function decodeRgb(source: string | Uint8Array, maxPixels: number): Promise<RgbImage> {
  const label = typeof source === 'string' ? source : 'The image data';
  if (typeof source === 'string') await checkReadable(source);
  else if (source.length === 0) throw badInput('The image data is empty (0 bytes).', `Pass the bytes of a ${FORMATS} image.`);

  const sharp = await getSharp();
  const input = typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.length);
  const options = { pages: 1, page: 0, failOn: 'error', autoOrient: false, ignoreIcc: true } as const;
  // Headers only: a decompression bomb is measured here and refused before any pixel is decoded.
  const meta = await sharp(input, { ...options, limitInputPixels: false }).metadata().catch((e: unknown) => {
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
  const { data, info } = await sharp(input, { ...options, limitInputPixels: maxPixels })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => {
      throw notAnImage(label, e);
    });
  if (info.channels !== 3) throw new Error(`Decoding ${label} gave ${info.channels} channels, expected 3.`);
  return { data, width: info.width, height: info.height, format: meta.format ?? 'unknown', frames: meta.pages ?? 1 };
}

/** Turns file-system failures into messages that name the path and say what to do. */
async function checkReadable(path: string): Promise<void> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') throw badInput(`Image not found: ${path}.`, 'Check the path and the file name.');
    throw badInput(`${path}: cannot be read (${e.code ?? e.message}).`, 'Check the path and the file permissions.');
  });
  if (info.isDirectory()) throw badInput(`${path} is a folder, not an image.`, `Give the path of a ${FORMATS} file.`);
  if (info.size === 0) {
    throw badInput(`${path} is empty (0 bytes).`, 'The file may not have finished downloading or copying; replace it.');
  }
  await access(path, constants.R_OK).catch(() => {
    throw badInput(`${path}: permission denied.`, 'Make the file readable (e.g. `chmod u+r`) or copy it somewhere you can read.');
  });
}

function notAnImage(label: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return badInput(
    `${label} is not a readable image (${reason}).`,
    `Use a ${FORMATS} image; if it is one, it is truncated or corrupt: save or download it again.`,
  );
}

function pixelCount(pixels: number): string {
  return pixels >= 1e6 ? `${Number((pixels / 1e6).toFixed(1))} megapixels` : `${pixels} pixels`;
}
