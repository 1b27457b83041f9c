/**
 * "Compare two words": two generated tokens chosen by two selects, their maps over the image side by side on one
 * colour scale (the range of both maps together, which the legend says), so that which word looked where, and how
 * much more, reads straight off the colours. It follows the report's map, tile and image controls.
 */
import type { GenerationReportData } from '../src/shared/generationResult';
import { extentScale, legend, overlayScale } from './draw/colorScale';
import { baseName, el, labelledSelect } from './draw/dom';
import { createRegionOverlay } from './draw/regionOverlay';
import { mapMeasure, tokenRegions, type MapChoice } from './generationMaps';

/** The compare section and the redraw the report calls when its controls change. */
export interface CompareView {
  element: HTMLElement;
  draw(): void;
}

/** Side length of each map, CSS pixels: two fit beside each other in a narrow panel. */
const SIDE = 240;

/** Builds the compare section of `data`'s answer (it needs two tokens); `choice` gives the report's map controls. */
export function createCompareView(data: GenerationReportData, choice: () => MapChoice): CompareView {
  const { result } = data;
  const words = [0, Math.min(1, result.generated.length - 1)];
  const options = result.generated.map((token, k) => ({ value: String(k), label: `${k}: ${JSON.stringify(token.text)}` }));
  const element = el('section', 'compare');
  element.setAttribute('aria-label', 'Compare two words');
  const controls = el('div', 'controls');
  const pickers = ['First word', 'Second word'].map((label, side) => labelledSelect(label, options, String(words[side]), (value) => {
    words[side] = Number(value);
    draw();
  }));
  controls.append(...pickers.map((p) => p.element));
  const maps = el('div', 'compare-maps');
  const key = el('div', 'compare-legend');
  key.setAttribute('aria-live', 'polite');
  element.append(el('h2', undefined, 'Compare two words'), controls, maps, key);

  function draw(): void {
    const current = choice();
    const image = result.images[current.image];
    const regions = words.map((k) => tokenRegions(result, result.generated[k], current));
    const scale = overlayScale(extentScale(regions.flat().map((r) => r.value)));
    maps.replaceChildren(...words.map((k, side) => {
      const text = JSON.stringify(result.generated[k].text);
      const overlay = createRegionOverlay(data.images[current.image] ?? '', `${baseName(image.path)} with the map of ${text}`, image.width, image.height, SIDE);
      overlay.setRegions(regions[side], scale);
      overlay.setOpacity(0.6);
      const figure = el('figure', 'token-map');
      figure.append(overlay.element, el('figcaption', undefined, regions[side].length > 0 ? `${text} (token ${k})` : `${text} (token ${k}): no ${current.source} map`));
      return figure;
    }));
    key.replaceChildren(legend(scale, `Both maps on one colour scale: ${mapMeasure(result, current.source)}`));
  }

  return { element, draw };
}
