/**
 * The window of an image that a map is drawn over: the part the model's input covers (ImageInfo.region, as
 * fractions from gridWindow), shown square because the patch grid fills the square view. For CLIP's centre crop
 * that is the image's centre square; for a processor that resizes without cropping (SigLIP, BLIP, ViLT) the whole
 * image, squeezed as the model squeezes it. Without a window, views show the centre square (object-fit: cover).
 */
import { centreSquareWindow } from '../../src/shared/analysisResult';

/** [x0, y0, x1, y1] as fractions of the image's width and height; may reach past 0 and 1 where a crop pads. */
export type ImageWindow = [number, number, number, number];

/** Places `image` in its container (position: relative, overflow: hidden) so that `shown` fills it, or the centre square when absent. */
export function placeImage(image: HTMLImageElement, shown: ImageWindow | undefined): void {
  if (!shown) return;
  const [x0, y0, x1, y1] = shown;
  const [w, h] = [x1 - x0, y1 - y0];
  Object.assign(image.style, {
    position: 'absolute',
    objectFit: 'fill',
    maxWidth: 'none',
    width: `${100 / w}%`,
    height: `${100 / h}%`,
    left: `${(-x0 / w) * 100}%`,
    top: `${(-y0 / h) * 100}%`,
  });
}

/**
 * Draws `shown`, a window of `image` (its centre square when absent) into a `width` x `height` rectangle of `context`; a
 * window past the image's edges leaves those parts undrawn, as the view does.
 */
export function drawWindow(context: CanvasRenderingContext2D, image: HTMLImageElement, shown: ImageWindow | undefined, width: number, height: number): void {
  const [iw, ih] = [image.naturalWidth, image.naturalHeight];
  if (iw === 0 || ih === 0) return;
  const [x0, y0, x1, y1] = shown ?? centreSquareWindow(iw, ih);
  // drawImage takes no source rectangle past the image: clip it, and the destination by the same share.
  const [cx0, cy0, cx1, cy1] = [Math.max(0, x0), Math.max(0, y0), Math.min(1, x1), Math.min(1, y1)];
  if (cx1 <= cx0 || cy1 <= cy0) return;
  const [sx, sy] = [width / (x1 - x0), height / (y1 - y0)];
  context.drawImage(image, cx0 * iw, cy0 * ih, (cx1 - cx0) * iw, (cy1 - cy0) * ih, (cx0 - x0) * sx, (cy0 - y0) * sy, (cx1 - cx0) * sx, (cy1 - cy0) * sy);
}

/** The window a view element was drawn with (its data-window attribute), if any. */
export function elementWindow(element: HTMLElement): ImageWindow | undefined {
  const values = element.dataset.window?.split(' ').map(Number);
  return values?.length === 4 && values.every(Number.isFinite) ? (values as ImageWindow) : undefined;
}

/** Records `shown` on a view element, for exports that redraw what it shows. */
export function markWindow(element: HTMLElement, shown: ImageWindow | undefined): void {
  if (shown) element.dataset.window = shown.join(' ');
}

/** A box on the shown window: [x0, y0, x1, y1] as fractions of its sides, and whether the window's edge cut it. */
export interface WindowBox {
  box: [number, number, number, number];
  cut: boolean;
}

/**
 * Where boxes given in the pixels of a `width` x `height` image fall on window `shown` (what the view shows), clipped to
 * it; a box wholly outside it is left out.
 */
export function boxesOnWindow(boxes: readonly (readonly number[])[], width: number, height: number, shown: ImageWindow): WindowBox[] {
  const [wx0, wy0, wx1, wy1] = shown;
  const along = (v: number, size: number, from: number, to: number) => (v / size - from) / (to - from);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return boxes.flatMap(([x0, y0, x1, y1]) => {
    const raw = [along(x0, width, wx0, wx1), along(y0, height, wy0, wy1), along(x1, width, wx0, wx1), along(y1, height, wy0, wy1)];
    const box = raw.map(clamp) as WindowBox['box'];
    if (box[2] <= box[0] || box[3] <= box[1]) return [];
    return [{ box, cut: raw.some((v, i) => v !== box[i]) }];
  });
}
