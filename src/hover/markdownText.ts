/**
 * Text from files and settings (file names, captions, labels) put into hover Markdown as plain text. VS Code
 * renders hovers with a CommonMark parser, in which a backslash before any ASCII punctuation makes it a
 * literal character: escaping all of it leaves no way to open a link, image, emphasis, HTML tag or entity.
 * Line breaks and other control characters are folded into spaces so that a caption cannot start a block
 * (a heading, a list, an indented code block), and bidirectional overrides are dropped so that a file name
 * cannot display reversed.
 */

const PUNCTUATION = /[!-/:-@[-`{-~]/g;
// C0 and C1 controls, DEL, line and paragraph separators, and the bidi embedding/override/isolate controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` as literal Markdown text on one line, cut to `maxChars` characters (with an ellipsis). */
export function escapeMarkdown(text: string, maxChars = 200): string {
  const flat = text.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  const cut = chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : flat;
  return cut.replace(PUNCTUATION, '\\$&');
}

/**
 * A `command:` link target running `command` with `args`. encodeURIComponent leaves ( ) ! ' * as they are, and
 * a ) would end the Markdown link destination, so those are %-escaped too.
 */
export function commandUri(command: string, args: unknown[]): string {
  const query = encodeURIComponent(JSON.stringify(args)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${query}`;
}
