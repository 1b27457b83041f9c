/**
 * What the views' exports share: JSON of any value, an image with its overlay as PNG (the editor's export), and
 * handing a file to the host, which asks where to save it. The figures (the matrix, a pair, the probe charts) are
 * drawn for export by webview/figureExports.ts.
 */
import { Msg, type ExportFormat } from '../../src/shared/protocol';
import { safeFileName } from '../../src/shared/protocolValidators';
import { drawWindow, elementWindow } from '../draw/imageWindow';
import type { HostPort } from './hostPort';

/** An image with its overlay canvas on top at `opacity`, as a PNG data: URL the size of the overlay. */
export function overlayPng(image: HTMLImageElement, overlay: HTMLCanvasElement, opacity: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = overlay.width;
  canvas.height = overlay.height;
  const context = canvas.getContext('2d')!;
  // The export takes the part of the image the view shows: its window, else its centre square.
  drawWindow(context, image, image.parentElement ? elementWindow(image.parentElement) : undefined, canvas.width, canvas.height);
  context.globalAlpha = opacity;
  context.drawImage(overlay, 0, 0);
  return canvas.toDataURL('image/png');
}

/** JSON text of `value`, typed arrays written as plain arrays. */
export function exportJson(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v instanceof Float32Array ? Array.from(v) : v), 2);
}

/** Hands a file to the host, which asks where to save it; `report` gets where it went, or why it failed. */
export async function sendExport(port: HostPort, format: ExportFormat, fileName: string, content: string, report: (message: string) => void): Promise<void> {
  try {
    const { saved } = (await port.requests.send({ type: Msg.Export, format, fileName: safeFileName(fileName), content })) as { saved: string | null };
    if (saved) report(`Saved ${saved}`);
  } catch (error) {
    report(`Export failed: ${(error as Error).message}`);
  }
}
