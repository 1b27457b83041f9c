/**
 * Images for display (the HTML report, webviews): a PNG data: URL of the image scaled down so that its
 * shorter side is at most `maxSide`, decoded with the same RGB rules as the model input.
 */
import { decodeRgb, getSharp } from './imageDecode';
import { DEFAULT_MAX_PIXELS } from './preprocess';

/** A PNG data: URL of the image at `path`, shorter side at most `maxSide` pixels. */
export async function imagePreviewDataUrl(path: string, maxSide = 384, maxPixels = DEFAULT_MAX_PIXELS): Promise<string> {
  const rgb = await decodeRgb(path, maxPixels);
  const sharp = await getSharp();
  const scale = Math.min(1, maxSide / Math.min(rgb.width, rgb.height));
  const png = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .resize(Math.max(1, Math.round(rgb.width * scale)), Math.max(1, Math.round(rgb.height * scale)), { kernel: 'cubic' })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
