/**
 * Which files the explorer and the image editor take as images, and the text/uri-list format that VS Code's
 * explorer puts on a drag. Shared by the webview (which reads the drop) and the host (which checks each
 * path before it reads the file).
 */

/** File extensions the model input path decodes (sharp): PNG, JPEG, WebP, GIF, TIFF, AVIF. */
export const IMAGE_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif'];

/** Whether `path` names an image file by its extension (case-insensitive). */
export function hasImageExtension(path: string): boolean {
  const match = /\.([^./\\]+)$/.exec(path);
  return match !== null && IMAGE_EXTENSIONS.includes(match[1].toLowerCase());
}

/** The URIs of a text/uri-list (RFC 2483): one per line, `#` lines are comments, CRLF or LF. */
export function parseUriList(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}
