/**
 * An image with a map laid over it. The map is painted one pixel per cell on a small canvas and drawn
 * scaled onto the overlay with bilinear smoothing: patch boundaries blur into each other instead of showing
 * as blocks, while each cell's centre keeps its exact colour. (Smoothing quality 'high' is a blurring
 * bicubic in Chromium: a lone hot cell then never reaches the top colour of its legend.)
 *
 * The image is shown square: the window of it that the model's input covers (imageWindow.ts), by default its centre
 * square (`object-fit: cover`), the region CLIP-style preprocessing (shortest-edge resize, centre crop) turns into
 * the patch grid. Boxes (where an evaluation manifest says the object is) are outlined on top, in the same window.
 */
import type { ColorScale } from './colorScale';
import { el } from './dom';
import { paintGrid, type GridValues } from './heatmapCanvas';
import { markWindow, placeImage, type ImageWindow, type WindowBox } from './imageWindow';
import { svgNode } from '../figureBodies';

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
  setBoxes(boxes: readonly WindowBox[]): void;
}

/** Creates the overlay for an image URL (data: or webview URI), its window `shown` (else its centre square) shown `sizePx` CSS pixels square. */
export function createOverlay(imageUrl: string, alt: string, sizePx = 256, shown?: ImageWindow): Overlay {
  const element = el('div', 'overlay');
  // Square at sizePx, or narrower where its container is (a stylesheet's max-width), still square.
  element.style.width = `${sizePx}px`;
  element.style.aspectRatio = '1 / 1';
  const image = el('img', 'overlay-image');
  image.src = imageUrl;
  image.alt = alt;
  placeImage(image, shown);
  markWindow(element, shown);
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
