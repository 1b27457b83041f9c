/**
 * Splitting CSV records (RFC 4180): fields separated by commas, optionally in double quotes, where a quoted
 * field may hold commas, line breaks and doubled quotes (""). Like Python's csv module, it is lenient about
 * a quote inside an unquoted field or text after a closing quote: both are kept as written.
 */

/** A quoted field starting at `open` (its opening quote): its value and where its closing quote ends, or undefined when it never closes. */
function quotedField(record: string, open: number): { value: string; end: number } | undefined {
  let value = '';
  let from = open + 1;
  for (;;) {
    const quote = record.indexOf('"', from);
    if (quote < 0) return undefined;
    value += record.slice(from, quote);
    if (record[quote + 1] !== '"') return { value, end: quote + 1 };
    value += '"';
    from = quote + 2;
  }
}

/** The fields of `record`, or undefined when a quoted field is still open at its end (the record goes on in the next line). */
export function splitCsvRecord(record: string): string[] | undefined {
  const fields: string[] = [];
  for (let start = 0; ; ) {
    let value = '';
    let rest = start;
    if (record[start] === '"') {
      const quoted = quotedField(record, start);
      if (!quoted) return undefined;
      value = quoted.value;
      rest = quoted.end;
    }
    const comma = record.indexOf(',', rest);
    fields.push(value + record.slice(rest, comma < 0 ? record.length : comma));
    if (comma < 0) return fields;
    start = comma + 1;
  }
}

/**
 * Tells, line by line, where a CSV record ends, with the same quoting rules as splitCsvRecord: a record goes on
 * while a quoted field is open. Each line is scanned once, so a quote that is never closed costs linear time,
 * where re-splitting the growing record on every line cost quadratic time (100,000 rows took over 90 s).
 */
export class CsvRecordEnds {
  private inQuotes = false;
  private atFieldStart = true;

  /** Scans the next line of the file; true when the record is complete at its end. */
  endsRecord(line: string): boolean {
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (this.inQuotes) {
        if (c !== '"') continue;
        if (line[i + 1] === '"') i++;
        else this.inQuotes = false;
      } else if (c === ',') this.atFieldStart = true;
      else if (c === '"' && this.atFieldStart) {
        this.inQuotes = true;
        this.atFieldStart = false;
      } else this.atFieldStart = false;
    }
    // The line break belongs to the open quoted field, or ends the record and starts a new first field.
    if (this.inQuotes) return false;
    this.atFieldStart = true;
    return true;
  }
}
