/**
 * The map evaluation page (`mmlens evaluate --manifest --html`, and the extension's Evaluate Map Methods on
 * Dataset...): what was read, one row per map method with its means, and each method's worst cases, which a VS Code
 * panel can open (`open`). It draws only what the ManifestEvaluationResult holds; every path and text goes in as text.
 */
import { architectureLabel } from '../src/shared/analysisResult';
import type { ManifestEvaluationResult, MapMethod, MethodSummary } from '../src/shared/mapEvaluation';
import { commandButton } from './draw/commandButton';
import { appendNotices, el } from './draw/dom';

/** Opens case `index` of the result, a worst case of `method` (in VS Code: its image and text in the analysis panel). */
export type OpenCase = (index: number, method: MapMethod) => void;

const SCORES = { similarity: 'cosine similarity of image and text', probability: 'probability of the text', itm: 'image-text matching probability' } as const;

const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;
const percent = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const fixed = (v: number | null, digits = 3) => (v === null ? '–' : v.toFixed(digits));

function header(result: ManifestEvaluationResult): HTMLElement {
  const { manifest, model } = result;
  const element = el('header', 'summary');
  element.append(el('h1', undefined, `Map methods on ${fileName(manifest.path)}`));
  const skipped = [
    [manifest.missingImages, 'image missing'],
    [manifest.outsideImages, "image outside the manifest's folder"],
    [manifest.failedImages, 'the model could not take the image'],
  ] as const;
  const facts = el('dl', 'facts');
  for (const [term, value] of [
    ['Model', `${model.name} (${architectureLabel(model.architecture)}, ${model.executionProvider})`],
    ['Manifest', `${manifest.path} (${manifest.format === 'coco' ? 'COCO instances' : 'phrases with boxes'})`],
    ['Cases', `${result.cases.length} in ${manifest.images} images${manifest.limited ? ` (stopped at the limit of ${manifest.limit})` : ''}`],
    ['Skipped', skipped.filter(([rows]) => rows.count > 0).map(([rows, why]) => `${rows.count} (${why})`).join('; ') || 'none'],
    ['Texts', result.template === null ? 'the phrases as written' : `each category through "${result.template}"`],
    ['Score', result.score === null ? 'none' : `${SCORES[result.score]}${result.template === null ? '' : " among every category's"}`],
  ]) facts.append(el('dt', undefined, term), el('dd', undefined, value));
  element.append(facts);
  const notices = [
    ...(result.cancelled ? [`Cancelled: the figures are those of the ${result.cases.length} cases done.`] : []),
    ...(result.stoppedBy ? [`Stopped by a faulty row after ${result.cases.length} cases: ${result.stoppedBy}`] : []),
    ...manifest.failedImages.examples.map((example) => `Not scored: ${example}`),
  ];
  appendNotices(element, notices);
  return element;
}

function methodsTable(result: ManifestEvaluationResult): HTMLTableElement {
  const table = el('table', 'score-table evaluation-table');
  const rise = result.methods.some((m) => m.name === 'rise') ? `; RISE with ${result.riseMasks} masks${result.risePaper ? " (the authors' fill and mask edges)" : ''}` : '';
  table.append(el('caption', undefined, `Means over the cases${rise}`));
  const heads = ['Method', 'Pointing', 'TorchRay', 'Energy', 'Deletion ↓', 'Insertion ↑', 'Passes / map', ...(result.petsiukCurves ? ['Deletion (Petsiuk)', 'Insertion (Petsiuk)'] : [])];
  const headRow = el('tr');
  for (const head of heads) {
    const th = el('th', undefined, head);
    th.scope = 'col';
    headRow.append(th);
  }
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(headRow);
  for (const method of result.methods) table.tBodies[0].append(methodRow(method, heads.length, result.petsiukCurves));
  return table;
}

function methodRow(m: MethodSummary, columns: number, petsiuk: boolean): HTMLTableRowElement {
  const row = el('tr');
  const name = el('th', undefined, m.name);
  name.scope = 'row';
  row.append(name);
  if (m.unavailable) {
    const cell = el('td', 'unavailable', `unavailable: ${m.unavailable}`);
    cell.colSpan = columns - 1;
    row.append(cell);
    return row;
  }
  const values = [percent(m.pointingGame), percent(m.pointingGameTorchRay), fixed(m.energyInBox), fixed(m.deletionAuc), fixed(m.insertionAuc), fixed(m.forwardPasses, 0), ...(petsiuk ? [fixed(m.deletionAucPetsiuk), fixed(m.insertionAucPetsiuk)] : [])];
  for (const value of values) row.append(el('td', undefined, value));
  return row;
}

function worstSection(result: ManifestEvaluationResult, open?: OpenCase): HTMLElement {
  const section = el('section', 'worst-cases');
  section.append(el('h2', undefined, 'Worst cases'));
  section.append(el('p', 'muted', `Each method's misses first, then the least energy in the boxes.${open ? ' Open shows the case in the analysis panel.' : ''}`));
  for (const { method, cases } of result.worst) {
    if (cases.length === 0) continue;
    section.append(el('h3', undefined, method));
    const list = el('ol');
    for (const index of cases) {
      const c = result.cases[index];
      const m = c.measures[method]!;
      const item = el('li');
      item.append(el('span', 'case-text', `"${c.text}"`), ` ${fileName(c.image)} (${c.where}): ${m.pointingGame ? 'hit' : 'miss'}, energy ${m.energyInBox.toFixed(2)} `);
      if (open) item.append(commandButton('Open', `Open "${c.text}" on ${fileName(c.image)}`, () => open(index, method), 'open-case'));
      list.append(item);
    }
    section.append(list);
  }
  return section;
}

function legend(result: ManifestEvaluationResult): HTMLElement {
  return el('p', 'legend',
    "Pointing: share of cases whose map's maximum touches a box of the text. TorchRay: the pointing game as TorchRay plays it " +
    `(the map resized to the image, a hit within ${result.torchRayTolerance} px of a box, the mean of per-class rates). Energy: share of the map's ` +
    'positive mass inside the boxes. Deletion / insertion: area under the score curve as the top patches are greyed out (lower is better) or ' +
    `revealed on grey (higher is better), in ${result.curveSteps} steps, divided by the unperturbed score. docs/methods.md explains each method.`);
}

/** Draws `result` into `container`, replacing its content; with `open`, each worst case has a button that opens it. */
export function renderEvaluation(container: HTMLElement, result: ManifestEvaluationResult, open?: OpenCase): void {
  container.classList.add('mmlens', 'evaluation-report');
  container.replaceChildren(header(result), methodsTable(result), legend(result), worstSection(result, open));
}
