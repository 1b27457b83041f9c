/**
 * COCO captions files (captions_train2017.json and the like): `images [{id, file_name}]` and
 * `annotations [{image_id, caption}]`. The file is one JSON document, so it is read whole (the largest COCO
 * captions file is about 90 MB), through one descriptor that must be a regular file of at most MAX_COCO_BYTES
 * (a FIFO named captions.json blocked a plain read forever). By default each image gives one pair with its
 * first caption (in annotation order), in the order of `images`; with `allCaptions`, every annotation is a
 * pair, in annotation order.
 */
import { basename } from 'node:path';
import { badInput } from '../../core/errors';
import { quoteJson } from '../../core/quoteJson';
import { FileReadError, readRegularFile } from '../../core/regularFile';
import { isJsonObject, type JsonObject } from '../model/configFields';
import { describeSyntaxError } from '../model/jsonFile';
import { manifestFileError } from './manifestFile';
import { captionValue, imageValue, type ManifestRow } from './manifestFields';

/** The largest COCO captions file read: about three times the largest published one, and its text far below V8's string limit. */
export const MAX_COCO_BYTES = 256 * 2 ** 20;

const COCO_FIX = 'A COCO captions file holds "images": [{"id", "file_name"}] and "annotations": [{"image_id", "caption"}].';

/** The entries of `root[key]`, each a JSON object; `fix` says what the file should hold. */
export function cocoEntries(root: JsonObject, key: string, path: string, fix = COCO_FIX): JsonObject[] {
  const list = root[key];
  if (!Array.isArray(list)) throw badInput(`${basename(path)}: no "${key}" array.`, fix);
  list.forEach((entry, i) => {
    if (!isJsonObject(entry)) throw badInput(`${basename(path)} ${key}[${i}] is not a JSON object.`, fix);
  });
  return list as JsonObject[];
}

/** An id field: a number or a string. */
export function cocoId(value: unknown, path: string, where: string, field: string, fix = COCO_FIX): string | number {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw badInput(`${basename(path)} ${where}: "${field}" must be a number or a string, got ${quoteJson(value ?? null)}.`, fix);
}

/**
 * A COCO file's `images`: id to file name, each id once. A second image with the same id would take the first
 * one's annotations and drop the first image unsaid.
 */
export function cocoImages(root: JsonObject, path: string, fix = COCO_FIX): Map<string | number, string> {
  const files = new Map<string | number, string>();
  const firstEntry = new Map<string | number, number>();
  cocoEntries(root, 'images', path, fix).forEach((image, i) => {
    const where = `images[${i}]`;
    const id = cocoId(image.id, path, where, 'id', fix);
    if (firstEntry.has(id)) throw badInput(`${basename(path)} ${where}: id ${quoteJson(id)} is already the id of images[${firstEntry.get(id)}].`, `Give every image its own id; ${fix}`);
    firstEntry.set(id, i);
    files.set(id, imageValue(image.file_name, path, where, 'file_name'));
  });
  return files;
}

/** Reads a COCO JSON file whole (at most MAX_COCO_BYTES) as one JSON object; `fix` says what it should hold. */
export async function readCocoFile(path: string, fix = COCO_FIX): Promise<JsonObject> {
  let text: string;
  try {
    text = (await readRegularFile(path, MAX_COCO_BYTES)).toString('utf8');
  } catch (error) {
    throw error instanceof FileReadError ? manifestFileError(path, error, MAX_COCO_BYTES) : error;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw badInput(`${basename(path)} is not valid JSON: ${describeSyntaxError((error as Error).message, text)}.`, fix);
  }
  if (!isJsonObject(root)) throw badInput(`${basename(path)} is not a JSON object.`, fix);
  return root;
}

/** The rows of a COCO captions file. */
export async function cocoRows(path: string, allCaptions: boolean): Promise<ManifestRow[]> {
  const root = await readCocoFile(path);
  const files = cocoImages(root, path);
  const rows: ManifestRow[] = [];
  const firstCaption = new Map<string | number, ManifestRow>();
  cocoEntries(root, 'annotations', path).forEach((annotation, i) => {
    const where = `annotations[${i}]`;
    const id = cocoId(annotation.image_id, path, where, 'image_id');
    const image = files.get(id);
    if (image === undefined) throw badInput(`${basename(path)} ${where}: image_id ${quoteJson(id)} is not in "images".`, COCO_FIX);
    const row = { image, caption: captionValue(annotation.caption, path, where, 'caption'), where };
    if (allCaptions) rows.push(row);
    else if (!firstCaption.has(id)) firstCaption.set(id, row);
  });
  return allCaptions ? rows : [...files.keys()].flatMap((id) => firstCaption.get(id) ?? []);
}
