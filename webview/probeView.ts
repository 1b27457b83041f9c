/**
 * The probe report on one page: the model and the set, then each probe's section. It only draws what the
 * ProbeResult holds; every caption and path goes in as text.
 */
import { format } from 'd3';
import type { ProbeResult } from '../src/shared/probeResult';
import { architectureLabel } from '../src/shared/analysisResult';
import { appendNotices, el } from './draw/dom';
import { crossModalSection, geometrySection } from './probeInternals';
import { ablationSection, emapSection, mmShapSection, perceptualSection, retrievalSection, scoresSection } from './probeSections';

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

/** Draws `result` into `container`, replacing its content. */
export function renderProbe(container: HTMLElement, result: ProbeResult): void {
  const sections = [header(result), retrievalSection(result), scoresSection(result), emapSection(result), perceptualSection(result), ablationSection(result)];
  if (result.geometry) sections.push(geometrySection(result, result.geometry));
  if (result.crossModalAttention?.length) sections.push(crossModalSection(result.crossModalAttention));
  const shap = mmShapSection(result);
  if (shap) sections.push(shap);
  const timings = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${format('.0f')(ms)} ms`);
  sections.push(el('footer', 'timings', timings.length > 0 ? `Timings: ${timings.join(', ')}` : ''));
  container.classList.add('mmlens');
  container.replaceChildren(...sections);
}
