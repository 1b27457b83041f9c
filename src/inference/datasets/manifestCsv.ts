/**
 * CSV manifests with a header row naming the columns (image, caption and optionally label, or the columns
 * chosen by flags). Quoted fields may span lines; a record is reported by the line it starts on.
 */
import { basename } from 'node:path';
import { CsvRecordEnds, splitCsvRecord } from './csvRecord';
import { badInput } from '../../core/errors';
import { captionValue, imageValue, labelValue, LABEL_FIELD, type ManifestFields, type ManifestRow } from './manifestFields';
import { MAX_LINE_BYTES, textLines, type LineOptions } from './textLines';

/** A whole CSV record and the line it starts on. */
interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * Joins lines until every quoted field is closed. A record is bounded like a line (`maxLineBytes`), so a quote
 * left open over many short lines is refused before the joined record passes V8's string limit.
 */
async function* csvRecords(path: string, options: LineOptions): AsyncGenerator<CsvRecord> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const ends = new CsvRecordEnds();
  let lines: string[] = [];
  let bytes = 0;
  let first = 0;
  for await (const line of textLines(path, options)) {
    if (lines.length === 0) first = line.number;
    else {
      // Measured only once a record spans lines: each line alone is bounded by textLines.
      bytes += (lines.length === 1 ? Buffer.byteLength(lines[0]) : 0) + 1 + Buffer.byteLength(line.text);
      if (bytes > max) {
        throw badInput(
          `${basename(path)} line ${first}: a record of more than ${max} bytes (its quoted field is still open at line ${line.number}).`,
          'Close the quoted field with a double quote where it ends; write a quote inside a quoted field as "".',
        );
      }
    }
    lines.push(line.text);
    if (!ends.endsRecord(line.text)) continue;
    const fields = splitCsvRecord(lines.join('\n'));
    if (!fields) throw new Error(`${basename(path)} line ${first}: the record end scanner and the splitter disagree.`);
    lines = [];
    bytes = 0;
    yield { fields, line: first };
  }
  if (lines.length > 0) throw badInput(`${basename(path)} line ${first}: a quoted field is never closed.`, 'Close the field with a double quote; write a quote inside a quoted field as "".');
}

/** Index of the column called `name` (case and surrounding spaces ignored), or -1. */
function columnIndex(header: string[], name: string): number {
  const wanted = name.trim().toLowerCase();
  return header.findIndex((column) => column.trim().toLowerCase() === wanted);
}

function requireColumn(header: string[], name: string, path: string, line: number): number {
  const index = columnIndex(header, name);
  if (index < 0) {
    throw badInput(
      `${basename(path)} line ${line}: the header has no "${name}" column (its columns: ${header.map((c) => JSON.stringify(c.trim())).join(', ')}).`,
      'Start the file with a header row naming the columns image and caption, or choose the columns with --image-field and --caption-field.',
    );
  }
  return index;
}

/** Yields the rows of a CSV manifest; blank lines are skipped. */
export async function* csvRows(path: string, fields: ManifestFields, options: LineOptions = {}): AsyncGenerator<ManifestRow> {
  let columns: { image: number; caption: number; label: number } | undefined;
  let width = 0;
  for await (const record of csvRecords(path, options)) {
    if (record.fields.length === 1 && record.fields[0].trim() === '') continue;
    if (!columns) {
      columns = {
        image: requireColumn(record.fields, fields.image, path, record.line),
        caption: requireColumn(record.fields, fields.caption, path, record.line),
        label: columnIndex(record.fields, LABEL_FIELD),
      };
      width = record.fields.length;
      continue;
    }
    const where = `line ${record.line}`;
    if (record.fields.length < width) {
      throw badInput(`${basename(path)} ${where} has ${record.fields.length} fields, but the header has ${width}.`, 'Give every row a value for each column; quote fields that contain commas.');
    }
    const row: ManifestRow = {
      image: imageValue(record.fields[columns.image], path, where, fields.image),
      caption: captionValue(record.fields[columns.caption], path, where, fields.caption),
      where,
    };
    if (columns.label >= 0) row.label = labelValue(record.fields[columns.label], path, where);
    yield row;
  }
}
