/**
 * An image with a map laid over it. The map is painted one pixel per cell on a small canvas and drawn
 * scaled onto the overlay with bilinear smoothing: patch boundaries blur into each other instead of showing
 * as blocks, while each cell's centre keeps its exact colour. (Smoothing quality 'high' is a blurring
 * bicubic in Chromium: a lone hot cell then never reaches the top colour of its legend.)
 *
 * The image is shown square with `object-fit: cover`, i.e. its centre crop, because that is the region the
 * CLIP-style preprocessing (shortest-edge resize, centre crop) turns into the patch grid. Boxes (where an evaluation
 * manifest says the object is) are outlined on top, in the same centre square.
 */
import type { ColorScale } from './colorScale';
import { el } from './dom';
import { paintGrid, type GridValues } from './heatmapCanvas';
import { svgNode } from '../figureBodies';

/** A box on the shown square: [x0, y0, x1, y1] as fractions of its side, and whether the square's edge cut it. */
export interface SquareBox {
  box: [number, number, number, number];
  cut: boolean;
}

/**
 * Where boxes given in the pixels of a `width` x `height` image fall on its centre square (what the overlay shows),
 * clipped to that square; a box wholly outside it is left out.
 */
export function boxesOnCentreSquare(boxes: readonly (readonly number[])[], width: number, height: number): SquareBox[] {
  const side = Math.min(width, height);
  const [left, top] = [(width - side) / 2, (height - side) / 2];
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return boxes.flatMap(([x0, y0, x1, y1]) => {
    const raw = [(x0 - left) / side, (y0 - top) / side, (x1 - left) / side, (y1 - top) / side];
    const box = raw.map(clamp) as SquareBox['box'];
    if (box[2] <= box[0] || box[3] <= box[1]) return [];
    return [{ box, cut: raw.some((v, i) => v !== box[i]) }];
  });
}

/** An image with a switchable, fadable map on top. */
export interface Overlay {
  element: HTMLElement;
  /**
   * Draws `grid` coloured by `scale` over the image, or clears the overlay when grid is null. A scale that fades
   * (overlayScale) leaves the image visible under the low values.
   */
  setMap(grid: GridValues | null, scale?: ColorScale): void;
  /** Overlay opacity from 0 (image only) to 1 (the map's colours at their own alpha). */
  setOpacity(opacity: number): void;
  /** Outlines `boxes` over the map (none: clears them), each a dark line under a light one so it shows on any colour. */
  setBoxes(boxes: readonly SquareBox[]): void;
}

/** Creates the overlay for an image URL (data: or webview URI), shown `sizePx` CSS pixels square. */
export function createOverlay(imageUrl: string, alt: string, sizePx = 256): Overlay {
  const element = el('div', 'overlay');
  // Square at sizePx, or narrower where its container is (a stylesheet's max-width), still square.
  element.style.width = `${sizePx}px`;
  element.style.aspectRatio = '1 / 1';
  const image = el('img', 'overlay-image');
  image.src = imageUrl;
  image.alt = alt;
  const canvas = el('canvas', 'overlay-map');
  const resolution = Math.round(sizePx * (window.devicePixelRatio || 1));
  canvas.width = resolution;
  canvas.height = resolution;
  canvas.setAttribute('aria-hidden', 'true');
  // Presentation attributes, not CSS: an exported figure takes this drawing as it is.
  const outlines = svgNode('svg', { class: 'overlay-boxes', viewBox: `0 0 ${sizePx} ${sizePx}`, 'aria-hidden': 'true' });
  element.append(image, canvas, outlines);
  const small = document.createElement('canvas');
  return {
    element,
    setMap(grid, scale) {
      const context = canvas.getContext('2d');
      if (!context) return;
      context.clearRect(0, 0, resolution, resolution);
      if (!grid || !scale) return;
      paintGrid(small, grid, scale);
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'low';
      context.drawImage(small, 0, 0, resolution, resolution);
    },
    setOpacity(opacity) {
      canvas.style.opacity = String(opacity);
    },
    setBoxes(boxes) {
      outlines.replaceChildren(...boxes.flatMap(({ box: [x0, y0, x1, y1] }) => [['#000000', 4], ['#ffffff', 2]].map(([stroke, width]) =>
        svgNode('rect', { x: x0 * sizePx, y: y0 * sizePx, width: (x1 - x0) * sizePx, height: (y1 - y0) * sizePx, fill: 'none', stroke, 'stroke-width': width }))));
    },
  };
}
