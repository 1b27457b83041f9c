/**
 * Text for the terminal. Paths, model names, captions and error messages come from files and folders the user
 * did not write: an escape sequence in a file name could rewrite the screen, set the window title or hide the
 * rest of a line. Control characters other than line breaks and tabs are shown as visible escapes instead.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character (and bidirectional override) written as `\u{XX}`. */
export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
