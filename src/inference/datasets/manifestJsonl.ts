/** JSON Lines manifests: one JSON object per line with the image path, the caption and an optional label. */
import { basename } from 'node:path';
import { badInput } from '../../core/errors';
import { isJsonObject, type JsonObject } from '../model/configFields';
import { captionValue, imageValue, labelValue, LABEL_FIELD, type ManifestFields, type ManifestRow } from './manifestFields';
import { textLines, type LineOptions } from './textLines';

const ROW_FIX = 'Write one JSON object per line, e.g. {"image": "cat.jpg", "caption": "a cat"}.';

/** Yields each non-blank line of a JSON Lines file as a JSON object with its "line N"; `fix` says what a line should hold. */
export async function* jsonObjectLines(path: string, fix: string, options: LineOptions = {}): AsyncGenerator<{ value: JsonObject; where: string }> {
  for await (const line of textLines(path, options)) {
    if (line.text.trim() === '') continue;
    const where = `line ${line.number}`;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      throw badInput(`${basename(path)} ${where} is not valid JSON (${(error as Error).message}).`, fix);
    }
    if (!isJsonObject(value)) throw badInput(`${basename(path)} ${where} is not a JSON object.`, fix);
    yield { value, where };
  }
}

/** Yields the rows of a JSONL manifest; blank lines are skipped. */
export async function* jsonlRows(path: string, fields: ManifestFields, options: LineOptions = {}): AsyncGenerator<ManifestRow> {
  for await (const { value, where } of jsonObjectLines(path, ROW_FIX, options)) {
    const row: ManifestRow = {
      image: imageValue(value[fields.image], path, where, fields.image),
      caption: captionValue(value[fields.caption], path, where, fields.caption),
      where,
    };
    if (value[LABEL_FIELD] !== undefined) row.label = labelValue(value[LABEL_FIELD], path, where);
    yield row;
  }
}
