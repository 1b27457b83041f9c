/**
 * An image shown whole (its aspect kept) with values painted over regions of it: each region a box in the
 * image's own pixels, filled with its value's colour, one canvas pixel per display pixel. For maps whose cells are
 * not one grid over a crop: a generative model's image tokens, which may come from tiles of a split image, each
 * token covering its box of the original image.
 */
import type { ColorScale } from './colorScale';
import { el } from './dom';

/** One painted region: [x0, y0, x1, y1] in the image's pixels, and its value. */
export interface Region {
  box: [number, number, number, number];
  value: number;
}

/** An image with regions painted over it. */
export interface RegionOverlay {
  element: HTMLElement;
  /** Paints `regions` coloured by `scale` (clears the overlay first). */
  setRegions(regions: Region[], scale: ColorScale): void;
  setOpacity(opacity: number): void;
}

/** Creates the overlay for an image of `width` x `height` pixels at `imageUrl`, fitted in a `maxSide` CSS pixel square. */
export function createRegionOverlay(imageUrl: string, alt: string, width: number, height: number, maxSide = 320): RegionOverlay {
  const scale = maxSide / Math.max(width, height);
  const [shownWidth, shownHeight] = [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  const element = el('div', 'overlay region-overlay');
  element.style.width = `${shownWidth}px`;
  element.style.height = `${shownHeight}px`;
  const image = el('img', 'overlay-image region-image');
  image.src = imageUrl;
  image.alt = alt;
  const canvas = el('canvas', 'overlay-map');
  canvas.width = shownWidth;
  canvas.height = shownHeight;
  canvas.setAttribute('aria-hidden', 'true');
  element.append(image, canvas);
  return {
    element,
    setRegions(regions, colours) {
      const context = canvas.getContext('2d');
      if (!context) return;
      context.clearRect(0, 0, shownWidth, shownHeight);
      for (const { box: [x0, y0, x1, y1], value } of regions) {
        // A fading scale's low values let the image show through (draw/colorScale.ts overlayScale).
        context.globalAlpha = colours.alpha(value) / 255;
        context.fillStyle = colours.css(value);
        const [left, top] = [Math.round(x0 * scale), Math.round(y0 * scale)];
        context.fillRect(left, top, Math.round(x1 * scale) - left, Math.round(y1 * scale) - top);
      }
    },
    setOpacity(opacity) {
      canvas.style.opacity = String(opacity);
    },
  };
}
