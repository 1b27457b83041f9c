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
