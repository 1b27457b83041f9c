/**
 * How far to trust the map an image card shows: one line under the overlay with its method's pointing game on
 * this model (measured by `mmlens evaluate` and shipped in the model folder's evaluation.json, carried in the
 * result), a caution naming a better method when the shown one often misses, or that the model was not measured
 * and how to measure it. The figures come from the result only; nothing here is a fixed number.
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import { faithfulnessReading, overlayMethod, pointingFigure } from '../src/shared/mapFaithfulness';
import { el } from './draw/dom';

/** The line and how to update it when the overlay changes to the map under select value `key`. */
export interface MapTrustNote {
  element: HTMLElement;
  show(key: string): void;
}

/** The evaluated methods behind the overlay keys `keys`, and the panel's computed ones when `computes` is set. */
export function offeredMethods(result: AnalysisResult, keys: Iterable<string>, computes: boolean): string[] {
  const methods = [...keys].map((key) => overlayMethod(key, result.alignmentMethod)).filter((m): m is string => m !== undefined);
  return [...new Set([...methods, ...(computes ? ['occlusion', 'rise'] : [])])];
}

/** The trust line of one image card, among the methods `offered` (offeredMethods). */
export function mapTrustNote(result: AnalysisResult, offered: readonly string[]): MapTrustNote {
  const element = el('p', 'note map-trust');
  element.setAttribute('aria-live', 'polite');
  return {
    element,
    show(key) {
      const reading = faithfulnessReading(result.model.mapFaithfulness, overlayMethod(key, result.alignmentMethod), offered);
      element.textContent = reading.text;
      element.classList.toggle('caution', reading.caution);
    },
  };
}

/** The figure beside a method's compute button: its pointing game on this model, or that it was not measured. */
export function methodFigure(result: AnalysisResult, method: string): string {
  const figure = pointingFigure(result.model.mapFaithfulness, method);
  if (figure === undefined) return 'not measured for this model';
  return result.model.mapFaithfulness?.pointingGame[method] === null ? 'no such map for this model' : `finds the object in ${figure} on this model`;
}
