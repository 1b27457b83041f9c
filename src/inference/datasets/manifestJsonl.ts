/** JSON Lines manifests: one JSON object per line with the image path, the caption and an optional label. */
import { basename } from 'node:path';
import { badInput } from '../../core/errors';
import { isJsonObject } from '../model/configFields';
import { captionValue, imageValue, labelValue, LABEL_FIELD, type ManifestFields, type ManifestRow } from './manifestFields';
import { textLines, type LineOptions } from './textLines';

/** Yields the rows of a JSONL manifest; blank lines are skipped. */
export async function* jsonlRows(path: string, fields: ManifestFields, options: LineOptions = {}): AsyncGenerator<ManifestRow> {
  for await (const line of textLines(path, options)) {
    if (line.text.trim() === '') continue;
    const where = `line ${line.number}`;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      throw badInput(`${basename(path)} ${where} is not valid JSON (${(error as Error).message}).`, 'Write one JSON object per line, e.g. {"image": "cat.jpg", "caption": "a cat"}.');
    }
    if (!isJsonObject(value)) throw badInput(`${basename(path)} ${where} is not a JSON object.`, 'Write one JSON object per line, e.g. {"image": "cat.jpg", "caption": "a cat"}.');
    const row: ManifestRow = {
      image: imageValue(value[fields.image], path, where, fields.image),
      caption: captionValue(value[fields.caption], path, where, fields.caption),
      where,
    };
    if (value[LABEL_FIELD] !== undefined) row.label = labelValue(value[LABEL_FIELD], path, where);
    yield row;
  }
}
