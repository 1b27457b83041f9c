/**
 * Manifests with boxes, for `mmlens evaluate --manifest`: which region of an image a text names. Two formats, told
 * apart by the extension:
 * - JSON Lines (.jsonl, .ndjson), phrase grounding as RefCOCO or Flickr30k Entities have it: one
 *   `{"image": "a.jpg", "text": "the dog on the left", "boxes": [[x0, y0, x1, y1], ...]}` per line, streamed;
 *   consecutive lines of one image are one image with several phrases;
 * - a COCO instances file (.json: `images`, `annotations` with `bbox` [x, y, width, height] and `category_id`,
 *   `categories` with `name`): each image with each category it holds, in the order of `images` and then of
 *   `categories`, with every box of that category (TorchRay's class mask); the category's name is a label that
 *   the caller puts through its prompt template.
 * Boxes are in the original image's pixels. Images are found as manifest.ts finds them (relative to the manifest's
 * folder or the image root, never outside it unless allowed); rows whose image is missing or outside are skipped
 * and counted.
 */
import { basename, extname } from 'node:path';
import { badInput } from '../../core/errors';
import { quoteJson } from '../../core/quoteJson';
import type { Box } from '../../shared/mapEvaluation';
import type { JsonObject } from '../model/configFields';
import { imageFolder, locateImage, requireFile, skip, type ManifestOptions, type SkippedRows } from './manifest';
import { cocoEntries, cocoId, cocoImages, readCocoFile } from './manifestCoco';
import { captionValue, imageValue } from './manifestFields';
import { jsonObjectLines } from './manifestJsonl';

/** One thing to find in an image: its label, the boxes it names, and where the manifest says so. */
export interface GroundingCase {
  /** The phrase (JSON Lines) or the category's name (COCO). */
  label: string;
  boxes: Box[];
  /** "line 12", or "images[3], category 18" for messages and the worst cases' list. */
  where: string;
}

/** One image and what to find in it. */
export interface GroundingImage {
  /** The image's absolute path. */
  image: string;
  cases: GroundingCase[];
}

/** A grounding manifest being read: its images as a stream, and for COCO every category's name. */
export interface GroundingManifest {
  format: 'jsonl' | 'coco';
  /** COCO: every category's name, in the file's order (the texts a case's score is a probability among); JSON Lines: none. */
  categories: string[];
  images: AsyncGenerator<GroundingImage>;
  /** Rows skipped so far because their image is missing, or outside the image folder. */
  missingImages: SkippedRows;
  outsideImages: SkippedRows;
}

const JSONL_FIX = 'Write one JSON object per line: {"image": "cat.jpg", "text": "the cat", "boxes": [[x0, y0, x1, y1]]}, boxes in image pixels.';
const COCO_FIX = 'A COCO instances file holds "images": [{"id", "file_name"}], "annotations": [{"image_id", "category_id", "bbox": [x, y, width, height]}] and "categories": [{"id", "name"}].';

/** Opens a grounding manifest; JSON Lines are read as the images are taken, a COCO file at once. */
export async function readGroundingManifest(options: Pick<ManifestOptions, 'path' | 'imageRoot' | 'allowOutsidePaths'>): Promise<GroundingManifest> {
  await requireFile(options.path);
  const extension = extname(options.path).toLowerCase();
  const format = extension === '.json' ? 'coco' : extension === '.jsonl' || extension === '.ndjson' ? 'jsonl' : undefined;
  if (!format) throw badInput(`Cannot tell the format of the manifest ${options.path} from its extension.`, 'Use .jsonl (one image, text and boxes per line) or .json (a COCO instances file).');
  const folder = await imageFolder(options);
  const missingImages: SkippedRows = { count: 0, examples: [] };
  const outsideImages: SkippedRows = { count: 0, examples: [] };
  const located = async function* (rows: AsyncIterable<{ image: string; where: string; cases: GroundingCase[] }>): AsyncGenerator<GroundingImage> {
    for await (const row of rows) {
      const found = await locateImage(row.image, row.where, folder);
      if ('skip' in found) skip(found.skip === 'outside' ? outsideImages : missingImages, found.example);
      else yield { image: found.image, cases: row.cases };
    }
  };
  if (format === 'jsonl') return { format, categories: [], images: located(jsonlImages(options.path)), missingImages, outsideImages };
  const coco = await cocoInstances(options.path);
  return { format, categories: coco.categories, images: located(coco.images), missingImages, outsideImages };
}

/** The JSON Lines rows, consecutive rows naming the same image joined; the rows before a faulty one are given first. */
async function* jsonlImages(path: string): AsyncGenerator<{ image: string; where: string; cases: GroundingCase[] }> {
  let held: { image: string; where: string; cases: GroundingCase[] } | undefined;
  try {
    for await (const row of jsonlRows(path)) {
      if (held?.image === row.image) held.cases.push(...row.cases);
      else {
        if (held) yield held;
        held = row;
      }
    }
  } catch (error) {
    if (held) yield held;
    throw error;
  }
  if (held) yield held;
}

async function* jsonlRows(path: string): AsyncGenerator<{ image: string; where: string; cases: GroundingCase[] }> {
  for await (const { value, where } of jsonObjectLines(path, JSONL_FIX)) {
    const label = captionValue(value.text, path, where, 'text');
    if (label.trim() === '') throw badInput(`${basename(path)} ${where}: "text" is empty.`, 'Give the phrase that names the boxed region.');
    if (!Array.isArray(value.boxes) || value.boxes.length === 0) throw badInput(`${basename(path)} ${where}: "boxes" must be a non-empty list of [x0, y0, x1, y1], got ${quoteJson(value.boxes ?? null)}.`, JSONL_FIX);
    const boxes = value.boxes.map((box, i) => cornerBox(box, path, `${where} boxes[${i}]`));
    yield { image: imageValue(value.image, path, where, 'image'), where, cases: [{ label, boxes, where }] };
  }
}

/** A JSON Lines box: four finite numbers, x0 < x1 and y0 < y1. */
function cornerBox(value: unknown, path: string, where: string): Box {
  const numbers = Array.isArray(value) && value.length === 4 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!numbers) throw badInput(`${basename(path)} ${where} must be [x0, y0, x1, y1] (four numbers, image pixels), got ${quoteJson(value ?? null)}.`, JSONL_FIX);
  const [x0, y0, x1, y1] = value as number[];
  if (!(x0 < x1 && y0 < y1)) throw badInput(`${basename(path)} ${where} is [${x0}, ${y0}, ${x1}, ${y1}]: its right and bottom must exceed its left and top.`, 'Write boxes as corners [x0, y0, x1, y1], not as [x, y, width, height].');
  return [x0, y0, x1, y1];
}

/** A COCO box: [x, y, width, height], four finite numbers with a positive width and height. */
function cocoBox(value: unknown, path: string, where: string): Box {
  const numbers = Array.isArray(value) && value.length === 4 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!numbers) throw badInput(`${basename(path)} ${where}: "bbox" must be [x, y, width, height] (four numbers), got ${quoteJson(value ?? null)}.`, COCO_FIX);
  const [x, y, w, h] = value as number[];
  if (!(w > 0 && h > 0)) throw badInput(`${basename(path)} ${where}: "bbox" [${x}, ${y}, ${w}, ${h}] has no area.`, 'Give every box a positive width and height, or remove the annotation.');
  return [x, y, x + w, y + h];
}

/** A COCO instances file: its category names, and each image (in the order of `images`) with its categories' boxes. */
async function cocoInstances(path: string): Promise<{ categories: string[]; images: AsyncGenerator<{ image: string; where: string; cases: GroundingCase[] }> }> {
  const root = await readCocoFile(path, COCO_FIX);
  if (!Array.isArray(root.categories)) throw badInput(`${basename(path)}: no "categories" array, so it is not a COCO instances file${Array.isArray(root.annotations) ? ' (a captions file has none: use it with `mmlens probe`)' : ''}.`, COCO_FIX);
  const names = new Map<string | number, string>();
  cocoEntries(root, 'categories', path, COCO_FIX).forEach((category, i) => {
    const where = `categories[${i}]`;
    const name = category.name;
    if (typeof name !== 'string' || name.trim() === '') throw badInput(`${basename(path)} ${where}: "name" must be a non-empty string, got ${quoteJson(name ?? null)}.`, COCO_FIX);
    names.set(cocoId(category.id, path, where, 'id', COCO_FIX), name.trim());
  });
  const files = cocoImages(root, path, COCO_FIX);
  const boxes = new Map<string | number, Map<string | number, Box[]>>();
  cocoEntries(root, 'annotations', path, COCO_FIX).forEach((annotation: JsonObject, i) => {
    const where = `annotations[${i}]`;
    const image = cocoId(annotation.image_id, path, where, 'image_id', COCO_FIX);
    const category = cocoId(annotation.category_id, path, where, 'category_id', COCO_FIX);
    if (!files.has(image)) throw badInput(`${basename(path)} ${where}: image_id ${quoteJson(image)} is not in "images".`, COCO_FIX);
    if (!names.has(category)) throw badInput(`${basename(path)} ${where}: category_id ${quoteJson(category)} is not in "categories".`, COCO_FIX);
    const perImage = boxes.get(image) ?? new Map<string | number, Box[]>();
    perImage.set(category, [...(perImage.get(category) ?? []), cocoBox(annotation.bbox, path, where)]);
    boxes.set(image, perImage);
  });
  const categoryOrder = [...names.keys()];
  async function* images() {
    let index = 0;
    for (const [id, file] of files) {
      const where = `images[${index++}]`;
      const held = boxes.get(id);
      if (!held) continue;
      const cases = categoryOrder.filter((c) => held.has(c)).map((c) => ({ label: names.get(c)!, boxes: held.get(c)!, where: `${where}, category ${quoteJson(c)}` }));
      yield { image: file, where, cases };
    }
  }
  return { categories: [...names.values()], images: images() };
}
