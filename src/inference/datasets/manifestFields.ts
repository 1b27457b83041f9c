/**
 * The fields of one manifest row, checked the same way in every format: an image path and a caption that are
 * strings, and an optional match label. Errors name the manifest, the line (or COCO entry) and the field.
 */
import { basename } from 'node:path';
import { badInput } from '../../core/errors';
import { quoteJson } from '../../core/quoteJson';

/** One row as the manifest states it: the image path as written, relative to the manifest's folder or absolute. */
export interface ManifestRow {
  image: string;
  caption: string;
  /** true: the caption matches the image; false: it does not; absent in unlabelled manifests. */
  label?: boolean;
  /** Where the row is, for messages: "line 12" or "annotations[3]". */
  where: string;
}

/** Which fields (JSONL keys, CSV columns) hold the image path and the caption. */
export interface ManifestFields {
  image: string;
  caption: string;
}

/** The default field names; the label field is always `label`. */
export const DEFAULT_FIELDS: ManifestFields = { image: 'image', caption: 'caption' };

/** The field that holds the match label. */
export const LABEL_FIELD = 'label';

const FIELD_FIX = 'Every row needs an image path and a caption; name the fields image and caption, or choose them with --image-field and --caption-field.';

/** `value` as a row's image path: a non-empty string. */
export function imageValue(value: unknown, file: string, where: string, field: string): string {
  if (value === undefined || value === null) throw badInput(`${basename(file)} ${where}: no "${field}" field.`, FIELD_FIX);
  if (typeof value !== 'string' || value.trim() === '') throw badInput(`${basename(file)} ${where}: "${field}" must be a non-empty path, got ${quoteJson(value)}.`, FIELD_FIX);
  return value.trim();
}

/** `value` as a row's caption: a string (an empty caption is allowed, it is a valid model input). */
export function captionValue(value: unknown, file: string, where: string, field: string): string {
  if (value === undefined || value === null) throw badInput(`${basename(file)} ${where}: no "${field}" field.`, FIELD_FIX);
  if (typeof value !== 'string') throw badInput(`${basename(file)} ${where}: "${field}" must be a string, got ${quoteJson(value)}.`, FIELD_FIX);
  return value;
}

const LABELS = new Map<unknown, boolean>([[1, true], [0, false], [true, true], [false, false], ['1', true], ['0', false], ['true', true], ['false', false]]);

/** `value` as a match label: 1/0, true/false, or those as strings. */
export function labelValue(value: unknown, file: string, where: string): boolean {
  const label = LABELS.get(typeof value === 'string' ? value.trim().toLowerCase() : value);
  if (label === undefined) {
    throw badInput(`${basename(file)} ${where}: "${LABEL_FIELD}" must be 1 (the caption matches the image) or 0 (it does not), got ${quoteJson(value ?? null)}.`, 'Label every row with 1 or 0, or leave the label out of every row.');
  }
  return label;
}
