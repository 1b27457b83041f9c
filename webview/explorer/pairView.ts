/**
 * One image with the maps of a pair laid over it: attention rollout or the patch alignment with a text,
 * switchable, with an opacity slider and a legend; the map's lower half fades to transparent over the image.
 * The explorer shows it for the opened cell; the image editor for its prompt.
 */
import type { ImageEntry, PairMaps } from '../../src/shared/protocol';
import { extentScale, legend, overlayScale } from '../draw/colorScale';
import { el, labelledNumber, labelledSelect, type Choice } from '../draw/dom';
import { createOverlay } from '../draw/overlay';
import { overlayExports, type ShownOverlay } from '../figureExports';
import type { ExportFile } from '../panelExports';
import { toFloat32 } from './hostPort';

/** Which map is shown and how strongly; kept in the webview state. */
export interface OverlayChoice {
  map: 'alignment' | 'rollout' | 'none';
  opacity: number;
}

/** The drawn pair: its element and the overlay canvas (for PNG export). */
export interface PairView {
  element: HTMLElement;
  overlayCanvas: HTMLCanvasElement;
  image: HTMLImageElement;
}

/**
 * Draws `image` with the maps of `maps`; `text` names the text the alignment map is for. With `exportFile` the
 * pair has its figure exports (SVG, PNG and JSON of the image with the map shown and its legend).
 */
export function drawPair(image: ImageEntry, maps: PairMaps | null, text: string | null, choice: OverlayChoice, changed: () => void, sizePx = 256, exportFile?: ExportFile): PairView {
  const element = el('figure', 'pair-view');
  const overlay = createOverlay(image.preview, image.name, sizePx, maps?.window);
  const legendSlot = el('div', 'legend-slot');
  const layers = new Map<string, { values: Float32Array; label: string }>();
  const alignment = toFloat32(maps?.alignment);
  const rollout = toFloat32(maps?.rollout);
  if (alignment) layers.set('alignment', { values: alignment, label: text === null ? 'Alignment' : `Alignment with "${text}"` });
  if (rollout) layers.set('rollout', { values: rollout, label: 'Attention rollout' });
  const choices: Choice[] = [...[...layers].map(([value, layer]) => ({ value, label: layer.label })), { value: 'none', label: 'None' }];
  // Before any map arrives the wanted one is kept, so the first maps open on it rather than on "None".
  if (choice.map !== 'none' && !layers.has(choice.map) && layers.size > 0) choice.map = (choices[0].value as OverlayChoice['map']);
  let shown: ShownOverlay['map'] = null;
  const show = (value: string) => {
    choice.map = value as OverlayChoice['map'];
    const layer = layers.get(value);
    // Faded at its low end, as in the analysis panel, so the image shows where the map is low.
    const scale = layer ? overlayScale(extentScale(layer.values)) : undefined;
    const grid = layer && maps ? { ...maps.grid, values: layer.values } : null;
    overlay.setMap(grid, scale);
    legendSlot.replaceChildren(...(layer && scale ? [legend(scale, layer.label)] : []));
    shown = grid && layer && scale ? { label: layer.label, grid, scale, legend: layer.label } : null;
  };
  const controls = el('div', 'controls');
  controls.append(
    labelledSelect('Overlay', choices, choice.map, (v) => {
      show(v);
      changed();
    }).element,
    labelledNumber('Opacity', 'range', { min: 0, max: 1, step: 0.05, value: choice.opacity }, (v) => {
      choice.opacity = v;
      overlay.setOpacity(v);
      changed();
    }).element,
  );
  overlay.setOpacity(choice.opacity);
  show(choice.map);
  if (maps && !alignment && !rollout) legendSlot.append(el('p', 'note', 'This model hides its attention (fused operators), so there are no maps.'));
  const caption = el('figcaption', undefined, text === null ? image.name : `${image.name} with "${text}"`);
  element.append(overlay.element, controls, legendSlot, caption);
  if (exportFile) {
    const title = caption.textContent ?? image.name;
    element.append(overlayExports(overlay.element, image.name, () => ({ title, map: shown, notes: [], image: image.path }), exportFile));
  }
  return { element, overlayCanvas: overlay.element.querySelector('canvas')!, image: overlay.element.querySelector('img')! };
}
