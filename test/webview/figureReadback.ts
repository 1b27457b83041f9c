/**
 * Reading an exported figure back in the page under test: the SVG is parsed and laid out in the page (so every
 * text's box is the one a viewer draws), and a PNG is decoded with an Image and read from a canvas.
 */
import type { Page } from 'playwright-core';

/** What an exported SVG holds, as a viewer lays it out. */
export interface SvgReadback {
  /** The parser's complaint, or null for a well-formed document. */
  error: string | null;
  width: number;
  height: number;
  viewBox: string | null;
  /** The fill of the background rect, or null when there is none (transparent). */
  background: string | null;
  /** Each text: its content, class, and whether its box lies inside the SVG's box. */
  texts: { text: string; className: string | null; inside: boolean }[];
  /** The colour legend's label and range, when the figure has one. */
  legend: { label: string; min: string; max: string } | null;
  /** The fills of the elements of `fillsOf` (a selector), in document order. */
  fills: string[];
  /** The box of the first element of `boxOf` (a selector), relative to the SVG's top left. */
  box: { x: number; y: number; width: number; height: number } | null;
}

/** Parses `svg` in `page`, lays it out at its own size, and reads it back. */
export function readSvg(page: Page, svg: string, fillsOf = 'rect.bar', boxOf = 'image'): Promise<SvgReadback> {
  return page.evaluate(({ text, fillsOf, boxOf }) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.querySelector('parsererror')?.textContent ?? null;
    const root = document.importNode(doc.documentElement, true) as unknown as SVGSVGElement;
    document.body.append(root);
    const box = root.getBoundingClientRect();
    const texts = [...root.querySelectorAll('text')].map((t) => {
      const r = t.getBoundingClientRect();
      return { text: t.textContent ?? '', className: t.getAttribute('class'), inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5 };
    });
    // No named inner functions: tsx would wrap them in a helper the page lacks.
    const [label, min, max] = ['.legend-label', '.legend-min', '.legend-max'].map((selector) => root.querySelector(selector)?.textContent ?? '');
    const legend = root.querySelector('.figure-legend') ? { label, min, max } : null;
    const result = {
      error,
      width: box.width,
      height: box.height,
      viewBox: root.getAttribute('viewBox'),
      background: root.querySelector('rect.figure-background')?.getAttribute('fill') ?? null,
      texts,
      legend,
      fills: [...root.querySelectorAll(fillsOf)].map((e) => e.getAttribute('fill') ?? ''),
      box: null as { x: number; y: number; width: number; height: number } | null,
    };
    const boxed = root.querySelector(boxOf)?.getBoundingClientRect();
    if (boxed) result.box = { x: boxed.left - box.left, y: boxed.top - box.top, width: boxed.width, height: boxed.height };
    root.remove();
    return result;
  }, { text: svg, fillsOf, boxOf });
}

/** A PNG data: URL decoded in `page`: its size and the RGBA of pixel (x, y). */
export function pngPixel(page: Page, dataUrl: string, x: number, y: number): Promise<{ width: number; height: number; rgba: [number, number, number, number] }> {
  return page.evaluate(async ({ dataUrl, x, y }) => {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const [r, g, b, a] = context.getImageData(x, y, 1, 1).data;
    return { width: canvas.width, height: canvas.height, rgba: [r, g, b, a] as [number, number, number, number] };
  }, { dataUrl, x, y });
}
