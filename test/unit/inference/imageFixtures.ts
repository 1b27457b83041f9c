// Tiny images made in the tests, so every expected pixel value can be worked out by hand.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { PreprocessorConfig } from '../../../src/inference/model/preprocessorConfig';

/** An image from interleaved pixel bytes, encoded as PNG. */
export function rawPng(width: number, height: number, channels: 1 | 2 | 3 | 4, bytes: number[]): Promise<Buffer> {
  return sharp(Buffer.from(bytes), { raw: { width, height, channels } }).png().toBuffer();
}

/** width x height RGB bytes from a per-pixel function. */
export function rgbBytes(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.push(...pixel(x, y));
  return out;
}

/** A config that only converts to floats: no resize, no crop, no rescale, no normalise (values stay 0..255). */
export function identityConfig(overrides: Partial<PreprocessorConfig> = {}): PreprocessorConfig {
  return {
    resize: false,
    shortestEdge: 224,
    resample: 'bicubic',
    centerCrop: false,
    cropSize: { height: 224, width: 224 },
    rescale: false,
    rescaleFactor: 1 / 255,
    normalize: false,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    convertRgb: true,
    notes: [],
    ...overrides,
  };
}

/** The pixel at (x, y) of a CHW tensor, as [r, g, b]. */
export function chwPixel(pixels: Float32Array, width: number, height: number, x: number, y: number): number[] {
  const plane = width * height;
  return [0, 1, 2].map((c) => pixels[c * plane + y * width + x]);
}

/** A PNG whose header claims width x height but which holds almost no data: a decompression-bomb stand-in. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(16))), chunk('IEND', Buffer.alloc(0))]);
}
