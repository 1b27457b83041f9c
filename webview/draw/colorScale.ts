/**
 * The one colour scale of the views: viridis (perceptually uniform and readable with the common forms of
 * colour blindness), mapped linearly from a value range, with a lookup table for painting pixels fast.
 */
import { format, interpolateViridis, rgb } from 'd3';
import { el } from './dom';
import { recordFigure } from './figureData';
import { OVERLAY_FADE } from '../../src/shared/overlayFade';

const STEPS = 256;

/** Viridis as STEPS RGB triples; built once because interpolateViridis returns strings to parse. */
const LUT = (() => {
  const lut = new Uint8ClampedArray(STEPS * 3);
  for (let i = 0; i < STEPS; i++) {
    const c = rgb(interpolateViridis(i / (STEPS - 1)));
    lut.set([c.r, c.g, c.b], i * 3);
  }
  return lut;
})();

/** Numbers on legends and in cells: three significant digits. */
export const formatValue = format('.3~g');

/** A linear map from [min, max] to viridis. */
export interface ColorScale {
  readonly min: number;
  readonly max: number;
  /** RGB bytes of STEPS colours, dark to light. */
  readonly lut: Uint8ClampedArray;
  /** Index of a value's colour in `lut` (clamped; the lowest colour when min equals max). */
  step(value: number): number;
  /** A value's colour as CSS. */
  css(value: number): string;
  /** Black or white, whichever reads better on the value's colour. */
  textColor(value: number): string;
  /** The lowest fraction of the range over which colours fade in from transparent (0: every colour opaque). */
  readonly fade: number;
  /** A value's alpha, 0 (transparent) to 255: 255 above the faded part of the range, rising linearly through it. */
  alpha(value: number): number;
}

/**
 * The viridis scale over [min, max]. With `fade` (a fraction of the range, 0 to 1) the lowest part of the range
 * fades from transparent at the minimum to opaque at min + fade x (max - min): drawn over an image, the low values
 * show the image instead of tinting it with the scale's darkest colour.
 */
export function viridisScale(min: number, max: number, fade = 0): ColorScale {
  const span = max - min;
  const step = (value: number) => (span > 0 ? Math.round(Math.min(1, Math.max(0, (value - min) / span)) * (STEPS - 1)) : 0);
  return {
    min,
    max,
    lut: LUT,
    step,
    fade,
    alpha: (value) => (fade > 0 ? Math.round(255 * Math.min(1, step(value) / ((STEPS - 1) * fade))) : 255),
    css: (value) => {
      const i = step(value) * 3;
      return `rgb(${LUT[i]}, ${LUT[i + 1]}, ${LUT[i + 2]})`;
    },
    // Viridis runs dark purple to light yellow; the lighter half needs dark text.
    textColor: (value) => (step(value) > STEPS * 0.55 ? '#000' : '#fff'),
  };
}

/** The viridis scale over the smallest and largest of `values` (0 to 1 when there are none). */
export function extentScale(values: Iterable<number>): ColorScale {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return min <= max ? viridisScale(min, max) : viridisScale(0, 1);
}

/** `scale` with its lowest OVERLAY_FADE of the range fading in from transparent: the scale of a map drawn over an image. */
export function overlayScale(scale: ColorScale): ColorScale {
  return viridisScale(scale.min, scale.max, OVERLAY_FADE);
}

/**
 * A legend: a label, the minimum, a gradient bar and the maximum. The bar has the scale's alpha (a faded part of
 * the range shows the page through it), and a faded scale's legend says up to which value it fades.
 */
export function legend(scale: ColorScale, label: string): HTMLElement {
  const bar = el('canvas', 'legend-bar');
  bar.width = STEPS;
  bar.height = 1;
  const context = bar.getContext('2d');
  const at = (i: number) => scale.min + (i / (STEPS - 1)) * (scale.max - scale.min);
  if (context) {
    const image = context.createImageData(STEPS, 1);
    for (let i = 0; i < STEPS; i++) image.data.set([LUT[i * 3], LUT[i * 3 + 1], LUT[i * 3 + 2], scale.alpha(at(i))], i * 4);
    context.putImageData(image, 0, 0);
  }
  const min = formatValue(scale.min);
  const max = formatValue(scale.max);
  const opaqueFrom = formatValue(scale.min + scale.fade * (scale.max - scale.min));
  const faded = scale.fade > 0 ? `, transparent at ${min} fading in to opaque at ${opaqueFrom}` : '';
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', `${label}: viridis colour scale from ${min} (dark) to ${max} (light)${faded}`);
  const element = el('div', 'legend');
  element.append(el('span', 'legend-label', label), el('span', 'legend-min', min), bar, el('span', 'legend-max', max));
  if (scale.fade > 0) element.append(el('span', 'legend-fade', `below ${opaqueFrom} fades to transparent`));
  recordFigure(element, { kind: 'legend', scale, label });
  return element;
}
