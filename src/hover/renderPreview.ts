/**
 * Renders one hover preview: the image's rollout map and (with a caption) its alignment map, each over a
 * square thumbnail of the image's centre (the region the CLIP preprocessing crops to the patch grid), as PNG
 * data: URLs, with the top zero-shot labels, the model and the execution provider that ran. A generative model
 * instead describes the image, and the map is its most image-grounded word's (describePreview.ts).
 */
import type { HeadFusion } from '../analysis/attention/rollout';
import { decodeRgb, getSharp } from '../inference/images/imageDecode';
import { throwIfCancelled } from '../core/progress';
import type { InferenceService } from '../inference/service';
import { DESCRIBE_PROMPT, DESCRIBE_TOKENS, describeAnswer, tokenHeat, type HoverDescription } from './describePreview';
import { blendHeatmap, sampleGrid } from './heatmapOverlay';

/**
 * The thumbnail side, pixels. VS Code cuts hover Markdown after 100,000 characters (its markdownRenderer), and
 * two 160 x 160 palette PNGs are at most 2 x 26.5 kB, 71,000 characters in base64, whatever the image.
 */
export const THUMBNAIL_SIZE = 160;

/** How many zero-shot labels a hover lists. */
export const HOVER_TOP_K = 3;

/** Everything a preview depends on besides the image and caption; all of it is part of the cache key. */
export interface PreviewSettings {
  /** The model folder the service runs ('' for the bundled model) and the provider setting. */
  model: string;
  executionProvider: string;
  labels: string[];
  promptTemplates: string[];
  rollout: { headFusion: HeadFusion; startLayer: number; residual: boolean };
  maxImagePixels: number;
}

/** A rendered preview. It holds no file name: the cache serves it for any file with the same content. */
export interface HoverPreview {
  /** PNG data: URL of the rollout overlay; absent when the model's attention cannot be observed. */
  rolloutUrl?: string;
  /** PNG data: URL of the caption's alignment overlay. */
  alignmentUrl?: string;
  /** The caption's similarity with the image (cosine for two-tower models). */
  captionScore?: number;
  labels: { label: string; probability: number }[];
  /** A generative model's description, and the PNG data: URL of its most image-grounded word's map. */
  description?: HoverDescription & { mapUrl?: string };
  model: string;
  executionProvider: string;
  notices: string[];
}

/** What rendering needs from the inference service. */
export type PreviewModel = Pick<InferenceService, 'analyze' | 'zeroShot' | 'model' | 'generate'>;

/** Renders the preview of `path` (with `caption` if given); stops with a 'cancelled' LensError when `signal` fires. */
export async function renderPreview(model: PreviewModel, path: string, caption: string | undefined, settings: PreviewSettings, signal?: AbortSignal): Promise<HoverPreview> {
  if ((await model.model()).capabilities.generation) return describedPreview(model, path, settings, signal);
  const zeroShot = settings.labels.length > 0
    ? await model.zeroShot({ images: [path], labels: settings.labels, templates: settings.promptTemplates, topK: HOVER_TOP_K }, { signal })
    : undefined;
  throwIfCancelled(signal);
  const top = zeroShot?.images[0]?.top ?? [];
  // analyze needs a text; without a caption the rollout map is all that is shown, so any text serves.
  const text = caption ?? top[0]?.label ?? 'an image';
  const { headFusion, startLayer, residual } = settings.rollout;
  const result = await model.analyze({ images: [path], texts: [text], rollout: { fusion: headFusion, startLayer, residual } }, { signal });
  throwIfCancelled(signal);
  const thumbnail = await squareThumbnail(path, settings.maxImagePixels, result.images[0]?.region);
  const rolloutMap = result.maps.rollout[0];
  const alignmentMap = caption === undefined ? undefined : result.maps.alignment[0]?.[0];
  return {
    rolloutUrl: rolloutMap ? await heatPng(thumbnail, sampleGrid(rolloutMap, THUMBNAIL_SIZE)) : undefined,
    alignmentUrl: alignmentMap ? await heatPng(thumbnail, sampleGrid(alignmentMap, THUMBNAIL_SIZE)) : undefined,
    captionScore: caption === undefined ? undefined : result.similarity[0]?.[0],
    labels: top,
    model: result.model.name,
    executionProvider: result.model.executionProvider,
    notices: [...new Set([...(zeroShot?.model.notices ?? []), ...result.model.notices])],
  };
}
/** A generative model's preview: its description of the image and its most image-grounded word's map. */
async function describedPreview(model: PreviewModel, path: string, settings: PreviewSettings, signal?: AbortSignal): Promise<HoverPreview> {
  const result = await model.generate({ images: [path], prompt: DESCRIBE_PROMPT, maxNewTokens: DESCRIBE_TOKENS }, { signal });
  throwIfCancelled(signal);
  const description = describeAnswer(result);
  const word = description.word && result.generated[description.word.index];
  const mapUrl = word ? await heatPng(await squareThumbnail(path, settings.maxImagePixels), tokenHeat(word, result.images[0], 0, THUMBNAIL_SIZE)) : undefined;
  return {
    description: { ...description, ...(mapUrl ? { mapUrl } : {}) },
    labels: [],
    model: result.model.name,
    executionProvider: result.model.executionProvider,
    notices: result.model.notices,
  };
}

/**
 * The part of the image the model's input covers (`region`, in its pixels; black where it reaches past the image,
 * as a padding crop is), else its centre square, scaled to THUMBNAIL_SIZE square, as RGB bytes.
 */
export async function squareThumbnail(path: string, maxPixels: number, region?: [number, number, number, number]): Promise<Uint8Array> {
  const image = await decodeRgb(path, maxPixels);
  const shown = region ? regionPixels(image, region) : image;
  const sharp = await getSharp();
  const data = await sharp(shown.data, { raw: { width: shown.width, height: shown.height, channels: 3 } })
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: region ? 'fill' : 'cover', position: 'centre', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** The RGB pixels of `region` (rounded to whole pixels) of `image`, black where it lies past the image's edges. */
function regionPixels(image: { data: Uint8Array; width: number; height: number }, region: [number, number, number, number]): { data: Uint8Array; width: number; height: number } {
  const [x0, y0, x1, y1] = region.map(Math.round);
  const [width, height] = [Math.max(1, x1 - x0), Math.max(1, y1 - y0)];
  const data = new Uint8Array(width * height * 3);
  const [left, right] = [Math.max(0, x0), Math.min(image.width, x0 + width)];
  for (let y = Math.max(0, y0); y < Math.min(image.height, y0 + height) && left < right; y++) {
    data.set(image.data.subarray((y * image.width + left) * 3, (y * image.width + right) * 3), ((y - y0) * width + (left - x0)) * 3);
  }
  return { data, width, height };
}

/** `heat` (THUMBNAIL_SIZE², in [0, 1]) over the thumbnail, as a palette PNG data: URL. */
async function heatPng(thumbnail: Uint8Array, heat: Float32Array): Promise<string> {
  const pixels = blendHeatmap(thumbnail, heat);
  const sharp = await getSharp();
  // A palette bounds the size (one byte a pixel); effort 1 quantises in ~20 ms where the default takes 100 to 200.
  const png = await sharp(pixels, { raw: { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, channels: 3 } }).png({ palette: true, effort: 1 }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
