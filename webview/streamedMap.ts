/**
 * The map of a token while the answer is still being written (the Ask About Image panel): the image with the
 * token's attention painted over the image tokens' regions (the first image, a split image's tiles), on that
 * token's own colour scale since the rest of the answer is not known yet, and what the token is. The complete
 * answer's report (generationView.ts) takes over with the scale shared by the answer and every control.
 */
import { format } from 'd3';
import type { GeneratedToken, ImageTokens } from '../src/shared/generationResult';
import { extentScale, legend, overlayScale } from './draw/colorScale';
import { baseName, el } from './draw/dom';
import { createRegionOverlay } from './draw/regionOverlay';
import { mapOf, regionsOf } from './generationMaps';

/** The live map view of one answer. */
export interface StreamedMap {
  element: HTMLElement;
  /** Draws token `index`'s map (its attention on the first image). */
  show(token: GeneratedToken, index: number, pinned: boolean): void;
}

const share = format('.1%');

/** A view over `images[0]`, shown from `imageUrl`. */
export function createStreamedMap(imageUrl: string, images: ImageTokens[]): StreamedMap {
  const image = images[0];
  const element = el('figure', 'streamed-map');
  const overlay = createRegionOverlay(imageUrl, baseName(image.path), image.width, image.height, 240);
  overlay.setOpacity(0.6);
  const caption = el('figcaption', 'note');
  caption.setAttribute('aria-live', 'polite');
  const legendSlot = el('div', 'legend-slot');
  element.append(overlay.element, legendSlot, caption);
  return {
    element,
    show(token, index, pinned) {
      const values = mapOf(token, 'attention', 0);
      const regions = values ? regionsOf(image, values, 'tiles') : [];
      const scale = overlayScale(extentScale(regions.map((r) => r.value)));
      overlay.setRegions(regions, scale);
      legendSlot.replaceChildren(...(values ? [legend(scale, 'attention on the image tokens (this token\'s own range)')] : []));
      const imageShare = token.imageShare.length > 0 ? `, ${share(token.imageShare.reduce((a, b) => a + b, 0) / token.imageShare.length)} of its attention on the image` : '';
      const which = pinned ? 'chosen' : 'newest';
      caption.textContent = values
        ? `The ${which} token, ${JSON.stringify(token.text)} (token ${index}${imageShare}). Choose a word to pin its map.`
        : `No attention map for ${JSON.stringify(token.text)} (token ${index}): the model's attention is not observable.`;
    },
  };
}
