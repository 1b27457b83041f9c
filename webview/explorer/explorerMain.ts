/**
 * Entry of the alignment explorer webview. It draws what the host sends: the images x texts matrix, the
 * opened pair's overlays and the fusion probes, or with a generative model the grid of its answers. Its state
 * (the host's data and the view's own choices) is saved with vscode.setState, so when VS Code recreates the
 * hidden view the page draws at once from it, then the ready handshake brings the host's current data.
 */
import '../probe.css';
import './explorer.css';
import { Msg, type ExplorerData, type ModelInfo, type PairMaps } from '../../src/shared/protocol';
import { architectureLabel } from '../../src/shared/analysisResult';
import { appendNotices, el } from '../draw/dom';
import { crossModalSection, geometrySection } from '../probeInternals';
import { ablationSection, emapSection } from '../probeSections';
import { addFigureExports, figureExports } from '../figureExports';
import type { ExportFile } from '../panelExports';
import { exportJson, sendExport } from './exporting';
import { connectHost, toFloat32 } from './hostPort';
import { acceptDrops, textInputs } from './inputs';
import { drawAnswerGrid, type AnswerGridView } from './answerGrid';
import { commandButton } from '../draw/commandButton';
import { matrixFigure } from './matrixFigure';
import { drawMatrix, type MatrixChoice, type MatrixInput, type MatrixView } from './matrixView';
import { drawPair, type OverlayChoice } from './pairView';
import { validSort } from './sorting';
import { onThemeChange } from './theme';

/** What the page saves with vscode.setState. */
interface SavedState {
  data: ExplorerData | null;
  matrix: MatrixChoice;
  overlay: OverlayChoice;
  maps: PairMaps | null;
}

const port = connectHost();
const app = document.getElementById('app')!;
const state: SavedState = port.savedState<SavedState>() ?? { data: null, matrix: { sort: null, focus: [0, 0], selected: null }, overlay: { map: 'alignment', opacity: 0.6 }, maps: null };
const save = () => port.saveState(state);

const status = el('p', 'status');
status.setAttribute('role', 'status');
const show = (message: string) => (status.textContent = message);
const exportFile: ExportFile = (format, fileName, content, report) => sendExport(port, format, fileName, content, report);
const cancel = commandButton('Cancel', 'Cancel the running analysis', () => port.post({ type: Msg.Cancel }));
cancel.hidden = true;
const inputs = textInputs((labels, template) => port.post({ type: Msg.SetTexts, labels, template }));
const facts = el('div', 'model-facts');
const imagesSlot = el('ul', 'image-list');
imagesSlot.setAttribute('aria-label', 'Images in the explorer');
const matrixSlot = el('section', 'matrix-section');
const pairSlot = el('section', 'pair-section');
const probeSlot = el('section', 'probe-section');
let matrixView: MatrixView | null = null;
let answerView: AnswerGridView | null = null;

function matrixInput(data: ExplorerData): MatrixInput | null {
  if (!data.matrix) return null;
  return {
    matrix: { ...data.matrix, values: toFloat32(data.matrix.values)! },
    rowLabels: data.images.map((i) => i.name),
    rowThumbs: data.images.map((i) => i.preview),
    colLabels: data.labels,
    colTitles: data.texts,
  };
}

function drawFacts(model: ModelInfo | null): void {
  facts.replaceChildren();
  if (!model) return;
  const architecture = architectureLabel(model.architecture);
  facts.append(el('p', 'note', `Model ${model.name} (${architecture}) on ${model.executionProvider}`));
  appendNotices(facts, model.notices);
}

function drawImageList(data: ExplorerData): void {
  imagesSlot.replaceChildren(...data.images.map((image, index) => {
    const item = el('li', 'image-item');
    const thumb = el('img', 'row-thumb');
    thumb.src = image.preview;
    thumb.alt = '';
    const remove = el('button', 'remove-button', '\u2715');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove ${image.name}`);
    remove.title = `Remove ${image.name}`;
    remove.addEventListener('click', () => port.post({ type: Msg.RemoveImage, index }));
    item.append(thumb, el('span', 'image-name', image.name), remove);
    item.title = image.path;
    return item;
  }));
}

function drawPairSlot(data: ExplorerData): void {
  const maps = state.maps;
  const image = maps ? data.images[maps.image] : undefined;
  pairSlot.replaceChildren();
  if (!maps || !image) return;
  pairSlot.append(el('h2', undefined, 'Pair'), drawPair(image, maps, data.texts[maps.text] ?? null, state.overlay, save, undefined, exportFile).element);
}

async function openPair(image: number, text: number): Promise<void> {
  save();
  try {
    state.maps = (await port.requests.send({ type: Msg.SelectCell, image, text })) as PairMaps;
    save();
    if (state.data) drawPairSlot(state.data);
  } catch (error) {
    show((error as Error).message);
  }
}

function exportAllButton(data: ExplorerData): HTMLElement {
  return commandButton('Export all as JSON', 'Export the matrix, answers and probes as JSON', () => void sendExport(port, 'json', 'alignment-explorer.json', exportJson({ ...data, images: data.images.map(({ path, name }) => ({ path, name })) }), show));
}

function drawAnswerSlot(data: ExplorerData, answers: (string | null)[][]): void {
  const input = { rowLabels: data.images.map((i) => i.name), rowThumbs: data.images.map((i) => i.preview), prompts: data.texts, answers };
  answerView = drawAnswerGrid(input, (image, text) => port.post({ type: Msg.AskCell, image, text }));
  const exports = el('div', 'controls');
  exports.append(exportAllButton(data));
  matrixSlot.replaceChildren(el('h2', undefined, 'Answers'), answerView.element, exports);
}

function drawMatrixSlot(data: ExplorerData): void {
  answerView = null;
  if (data.answers) return drawAnswerSlot(data, data.answers);
  const input = matrixInput(data);
  matrixSlot.replaceChildren(el('h2', undefined, 'Image-text matrix'));
  matrixView = null;
  if (!input) {
    const hint = data.images.length === 0
      ? 'Add images: Multimodal Lens: Add Image to Alignment Explorer, the buttons above, or drop image files here (hold Shift while dropping).'
      : data.texts.length === 0 ? 'Enter texts above and apply them.' : 'No scores for this set yet: see the line under the buttons.';
    matrixSlot.append(el('p', 'note', hint));
    return;
  }
  state.matrix.sort = validSort(state.matrix.sort, input.matrix);
  matrixView = drawMatrix(input, state.matrix, { open: (i, j) => void openPair(i, j), change: save });
  const view = matrixView.element;
  const exports = figureExports(() => matrixFigure(input, state.matrix.sort, view), 'alignment-matrix', 'the image-text matrix', exportFile);
  exports.querySelector('.export-status')?.before(exportAllButton(data));
  matrixSlot.append(matrixView.element, exports);
}

function drawProbeSlot(data: ExplorerData): void {
  // The probes score image-text pairs, which a generative model does not.
  probeSlot.hidden = data.answers !== null;
  probeSlot.replaceChildren(el('h2', undefined, 'Fusion probes'));
  const run = commandButton('Run fusion probes', 'Run the fusion probes on the current set', () => port.post({ type: Msg.RunProbe }));
  probeSlot.append(el('p', 'note', 'Pairs are image i with text i (or the manifest\'s pairs). Single-stream models run them after each analysis.'), run);
  const probe = data.probe;
  if (!probe) return;
  const sections = [emapSection(probe), ablationSection(probe)];
  if (probe.crossModalAttention?.length) sections.push(crossModalSection(probe.crossModalAttention, undefined, probe.vlInterpret));
  if (probe.geometry) sections.push(geometrySection(probe, probe.geometry));
  probeSlot.append(...sections);
  addFigureExports(sections, 'explorer', exportFile);
}

function render(): void {
  const data = state.data;
  if (!data) return;
  inputs.show(data.labels, data.template, data.answers !== null);
  drawFacts(data.model);
  drawImageList(data);
  drawMatrixSlot(data);
  if (state.maps && !(state.maps.image < data.images.length && state.maps.text < data.texts.length)) state.maps = null;
  drawPairSlot(data);
  drawProbeSlot(data);
  save();
}

const actions = el('div', 'controls');
actions.append(
  commandButton('Add images...', 'Add image files to the explorer', () => port.post({ type: Msg.PickImages })),
  commandButton('Load manifest...', 'Load images and captions from a dataset manifest', () => port.post({ type: Msg.LoadManifest })),
  cancel,
);
app.classList.add('explorer');
app.append(inputs.element, actions, imagesSlot, status, facts, matrixSlot, pairSlot, probeSlot);
acceptDrops(app, (uris) => port.post({ type: Msg.AddImages, uris }));
onThemeChange(() => matrixView?.repaint());

/** Takes the host's data; when the set changed, indices no longer name the same pairs, so the choices reset. */
function receive(data: ExplorerData): void {
  const key = (d: ExplorerData | null) => JSON.stringify(d ? [d.images.map((i) => i.path), d.texts] : null);
  if (state.data && key(state.data) !== key(data)) {
    Object.assign(state.matrix, { sort: null, focus: [0, 0], selected: null });
    state.maps = null;
  }
  state.data = data;
  render();
}

port.listen((message) => {
  if (message.type === Msg.Data) {
    receive(message.data as ExplorerData);
  } else if (message.type === Msg.CellAnswer && state.data?.answers) {
    const row = state.data.answers[message.image];
    if (row && message.text < row.length) row[message.text] = message.answer;
    answerView?.setAnswer(message.image, message.text, message.answer);
    save();
  } else if (message.type === Msg.Probe && state.data) {
    state.data.probe = message.probe;
    drawProbeSlot(state.data);
    save();
  } else if (message.type === Msg.Busy) {
    status.textContent = message.message ?? '';
    cancel.hidden = message.message === null;
  } else if (message.type === Msg.Error) {
    show(message.message);
  }
});

render();
port.requests.send({ type: Msg.Ready }).then((data) => receive(data as ExplorerData), (error: Error) => show(error.message));
