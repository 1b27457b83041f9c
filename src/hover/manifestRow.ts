/**
 * Which fields of a dataset manifest row (a JSON object, a CSV record) hold the image path and the caption.
 * Datasets name them differently (COCO `file_name`, LAION `image`/`text`, HF `image_path`/`sentence`), so the
 * first field with a known name is taken, names compared case-insensitively.
 */
import { hasImageExtension } from '../shared/imagePaths';

/** Image path fields, most specific first. */
export const IMAGE_FIELDS = ['image', 'image_path', 'imagepath', 'image_file', 'img', 'file_name', 'filename', 'filepath', 'file_path', 'file', 'path'];

/** Caption fields, most specific first; `label` last because probe manifests use it for 0/1 match labels. */
export const CAPTION_FIELDS = ['caption', 'text', 'sentence', 'description', 'prompt', 'label'];

/** The image path and caption of a row given as field name/value pairs, or undefined when no field names an image file. */
export function manifestRowFields(fields: Iterable<[string, unknown]>): { path: string; caption?: string } | undefined {
  const byName = new Map<string, unknown>();
  for (const [name, value] of fields) {
    const key = name.trim().toLowerCase();
    if (!byName.has(key)) byName.set(key, value);
  }
  const path = IMAGE_FIELDS.map((f) => byName.get(f)).map((v) => (typeof v === 'string' ? v.trim() : '')).find(hasImageExtension);
  if (path === undefined) return undefined;
  const caption = CAPTION_FIELDS.map((f) => captionOf(byName.get(f))).find((c) => c !== undefined);
  return { path, caption };
}

/** A caption value: a non-empty string that is not a 0/1 match label, or the first such string of a list (COCO-style several captions). */
function captionOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(captionOf).find((c) => c !== undefined);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text !== '' && !/^(0|1|true|false)$/i.test(text) ? text : undefined;
}
