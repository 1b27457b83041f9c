/**
 * The probe report on one page: the model and the set, then each probe's section with a one-line reading of its
 * figure and a link to docs/methods.md. It only draws what the ProbeResult holds; every caption and path goes in
 * as text.
 */
import { format } from 'd3';
import type { ProbeResult } from '../src/shared/probeResult';
import { architectureLabel } from '../src/shared/analysisResult';
import { appendNotices, el } from './draw/dom';
import { crossModalSection, geometrySection } from './probeInternals';
import { ablationSection, emapSection, mmShapSection, perceptualSection, retrievalSection, scoresSection } from './probeSections';
import { ablationReading, crossModalReading, emapReading, geometryReading, mmShapReading, pairScoresReading, perceptualReading, retrievalReading } from '../src/shared/probeReadings';
import { withReading, type MethodsLinks } from './probeReadingsView';

function header(result: ProbeResult): HTMLElement {
  const element = el('header', 'summary');
  element.append(el('h1', undefined, `Multimodal Lens probe: ${result.model.name}`));
  const { manifest } = result;
  const facts = el('dl', 'facts');
  for (const [term, value] of [
    ['Architecture', architectureLabel(result.model.architecture)],
    ['Execution provider', result.model.executionProvider],
    ['Manifest', `${manifest.path} (${manifest.format}${manifest.labelled ? ', labelled' : ''})`],
    ['Pairs', `${manifest.pairs}${manifest.limited ? ` (stopped at --limit ${manifest.limit})` : ''}${manifest.missingImages.count > 0 ? `; ${manifest.missingImages.count} skipped, image missing` : ''}`],
  ]) facts.append(el('dt', undefined, term), el('dd', undefined, value));
  element.append(facts);
  appendNotices(element, result.model.notices);
  return element;
}

/** Draws `result` into `container`, replacing its content; each reading links to docs/methods.md through `links`. */
export function renderProbe(container: HTMLElement, result: ProbeResult, links: MethodsLinks = {}): void {
  const sections = [
    header(result),
    withReading(retrievalSection(result), retrievalReading(result), links),
    withReading(scoresSection(result), pairScoresReading(result), links),
    withReading(emapSection(result), emapReading(result), links),
    withReading(perceptualSection(result), perceptualReading(result), links),
    withReading(ablationSection(result), ablationReading(result), links),
  ];
  if (result.geometry) sections.push(withReading(geometrySection(result, result.geometry), geometryReading(result.geometry), links));
  if (result.crossModalAttention?.length) sections.push(withReading(crossModalSection(result.crossModalAttention, undefined, result.vlInterpret), crossModalReading(result.crossModalAttention), links));
  const shap = mmShapSection(result);
  if (shap && result.mmShap) sections.push(withReading(shap, mmShapReading(result.mmShap), links));
  const timings = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${format('.0f')(ms)} ms`);
  sections.push(el('footer', 'timings', timings.length > 0 ? `Timings: ${timings.join(', ')}` : ''));
  container.classList.add('mmlens');
  container.replaceChildren(...sections);
}
