/** Short quotes of JSON values for error messages. */

/** The longest quote of a value an error message shows. */
const QUOTE_CHARS = 60;
/** Nesting deeper than this is shown as [...] or {...}. */
const QUOTE_DEPTH = 3;
/** Items (or keys) of an array (or object) shown before "...". */
const QUOTE_ITEMS = 8;

/**
 * A short JSON rendering of `value` for an error message: at most 60 characters, nesting beyond three levels
 * shown as [...] or {...}. JSON.stringify itself overflows the stack on a value nested 10^4 deep (a hostile
 * config file) and would quote a 100 MB array whole.
 */
export function quoteJson(value: unknown): string {
  const text = render(value, 0);
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}...` : text;
}

function render(value: unknown, depth: number): string {
  if (Array.isArray(value)) {
    if (depth >= QUOTE_DEPTH) return '[...]';
    return `[${value.slice(0, QUOTE_ITEMS).map((item: unknown) => render(item, depth + 1)).join(',')}${value.length > QUOTE_ITEMS ? ',...' : ''}]`;
  }
  if (typeof value === 'object' && value !== null) {
    if (depth >= QUOTE_DEPTH) return '{...}';
    const entries = Object.entries(value);
    const shown = entries.slice(0, QUOTE_ITEMS).map(([key, item]) => `${JSON.stringify(key.slice(0, QUOTE_CHARS))}:${render(item, depth + 1)}`);
    return `{${shown.join(',')}${entries.length > QUOTE_ITEMS ? ',...' : ''}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value.length > QUOTE_CHARS ? value.slice(0, QUOTE_CHARS) : value);
  // undefined (and functions, which JSON never holds) give undefined from JSON.stringify.
  return JSON.stringify(value) ?? String(value);
}
