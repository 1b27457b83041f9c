/**
 * Which image format a file's first bytes say it is. Only the raster formats the lens supports reach a decoder:
 * sharp would also hand SVG to librsvg, which resolves XInclude and `<image>` references to files beside the
 * image (a `.env` next to it was rendered into the picture and into the HTML report) and runs filters of any cost
 * (a 225-byte blur held a run for minutes). SVG is refused by its content, whatever the file is called: the lens
 * explains what a model sees of pixels, and a vector drawing is rasterised by the user's own tools first.
 */

/** The formats decoded, as messages name them. */
export const SUPPORTED_FORMATS = 'PNG, JPEG, WebP, GIF, TIFF or AVIF';

/** The formats decoded, by the names sharp's metadata reports. */
export type RasterFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'tiff' | 'heif';

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

/** The raster format of `bytes` by its signature, or undefined when it is none of them. */
export function rasterFormat(bytes: Uint8Array): RasterFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 4) === 'PNG' && bytes[4] === 0x0d && bytes[5] === 0x0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 4 && (ascii(bytes, 0, 4) === 'II*\0' || ascii(bytes, 0, 4) === 'MM\0*')) return 'tiff';
  // ISO base media files (AVIF, HEIC): a box of type `ftyp` first.
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp') return 'heif';
  return undefined;
}

/** Whether `bytes` look like SVG: XML or SVG text, or gzip-compressed data (SVGZ). */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '').trimStart();
  return /^<(\?xml|svg|!DOCTYPE|!--)/i.test(head) || /<svg[\s>]/i.test(head);
}
