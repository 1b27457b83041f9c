/**
 * JSON text in pieces: the same characters as `JSON.stringify(value, null, 2)`, produced as a series of strings
 * of bounded size, so a result whose JSON is larger than the longest string V8 can hold (about 512 MB; a
 * ViT-L/14 result with its attention is several GB) can still be written.
 */

/** Pieces are joined until they reach this many characters before one is handed out. */
const PIECE_CHARACTERS = 1 << 20;

/**
 * The JSON of `value` indented by two spaces, as `JSON.stringify(value, null, 2)` writes it (objects' undefined and
 * function members left out, undefined in arrays and non-finite numbers written as null, `toJSON` honoured),
 * in pieces of about a megabyte each.
 */
export function* jsonChunks(value: unknown): Generator<string> {
  let pending: string[] = [];
  let size = 0;
  for (const part of jsonParts(prepared(value, ''), '')) {
    pending.push(part);
    size += part.length;
    if (size >= PIECE_CHARACTERS) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield pending.join('');
}

/** The parts of one value (toJSON already applied) at `indent`. */
function* jsonParts(value: unknown, indent: string): Generator<string> {
  if (Array.isArray(value)) yield* arrayParts(value, indent);
  else if (value !== null && typeof value === 'object') yield* objectParts(value as Record<string, unknown>, indent);
  else yield JSON.stringify(value) ?? 'null';
}

/** The value after toJSON and the unwrapping of Number, String and Boolean objects, as JSON.stringify does them. */
function prepared(value: unknown, key: string): unknown {
  const own = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON(key: string): unknown }).toJSON(key)
    : value;
  return own instanceof Number || own instanceof String || own instanceof Boolean ? own.valueOf() : own;
}

function* arrayParts(items: unknown[], indent: string): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  // A row of numbers (the bulk of an attention tensor) is one part, not one per number.
  if (items.every((item) => typeof item === 'number')) {
    yield `[\n${inner}${items.map((item) => JSON.stringify(item)).join(`,\n${inner}`)}\n${indent}]`;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    yield i === 0 ? `[\n${inner}` : `,\n${inner}`;
    const item = prepared(items[i], String(i));
    yield* writable(item) ? jsonParts(item, inner) : ['null'];
  }
  yield `\n${indent}]`;
}

function* objectParts(record: Record<string, unknown>, indent: string): Generator<string> {
  const inner = `${indent}  `;
  let first = true;
  for (const key of Object.keys(record)) {
    const item = prepared(record[key], key);
    if (!writable(item)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    yield* jsonParts(item, inner);
    first = false;
  }
  yield first ? '{}' : `\n${indent}}`;
}

/** Whether JSON has a text for the value (undefined, functions and symbols have none). */
function writable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
