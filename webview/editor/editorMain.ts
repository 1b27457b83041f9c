/**
 * Entry of the read-only image editor ("Open With... Multimodal Lens"): the image with a switchable overlay
 * (attention rollout, or the alignment with the prompt), an opacity slider and a prompt box. It speaks the
 * same protocol as the explorer and restores itself the same way (saved state, then the ready handshake).
 */
import '../explorer/explorer.css';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { Msg, type EditorData } from '../../src/shared/protocol';
import { appendNotices, el, uniqueId } from '../draw/dom';
import { exportJson, overlayPng, sendExport } from '../explorer/exporting';
import { connectHost } from '../explorer/hostPort';
import { commandButton } from '../draw/commandButton';
import { drawPair, type OverlayChoice, type PairView } from '../explorer/pairView';

interface SavedState {
  data: EditorData | null;
  overlay: OverlayChoice;
}

const port = connectHost();
const app = document.getElementById('app')!;
const state: SavedState = port.savedState<SavedState>() ?? { data: null, overlay: { map: 'alignment', opacity: 0.6 } };
const save = () => port.saveState(state);

const prompt = document.createElement('vscode-textfield') as VscodeTextfield;
prompt.id = uniqueId('prompt');
prompt.className = 'prompt-input';
prompt.label = 'Prompt';
const promptLabel = el('label', 'control-label', 'Prompt');
promptLabel.htmlFor = prompt.id;
const analyze = () => port.post({ type: Msg.AnalyzePrompt, prompt: prompt.value.trim() });
prompt.addEventListener('keydown', (event) => {
  if ((event as KeyboardEvent).key === 'Enter') analyze();
});
const status = el('p', 'status');
status.setAttribute('role', 'status');
const show = (message: string) => (status.textContent = message);
const facts = el('div', 'model-facts');
const view = el('div', 'editor-view');
let pair: PairView | null = null;

function render(): void {
  const data = state.data;
  if (!data) return;
  if (document.activeElement !== prompt) prompt.value = data.prompt;
  facts.replaceChildren();
  if (data.score) {
    const value = data.score.kind === 'cosine' ? data.score.value.toFixed(3) : `${(100 * data.score.value).toFixed(1)}%`;
    facts.append(el('p', 'score', `${data.score.kind === 'cosine' ? 'Cosine similarity' : 'Match probability'} with "${data.prompt}": ${value}`));
  }
  if (data.generative) {
    facts.append(el('p', 'note generative-note', `${data.generative} is a generative model: it writes about the image rather than scoring a prompt. Ask it with Ask About Image... in this editor's title bar (or the explorer's context menu).`));
  }
  if (data.model) {
    facts.append(el('p', 'note', `Model ${data.model.name} on ${data.model.executionProvider}`));
    appendNotices(facts, data.model.notices);
  }
  pair = drawPair(data.image, data.maps, data.maps ? data.prompt : null, state.overlay, save, 384);
  view.replaceChildren(pair.element);
  save();
}

const bar = el('div', 'field');
const actions = el('div', 'controls');
actions.append(
  commandButton('Analyze', 'Analyze the image with the prompt', analyze),
  commandButton('PNG', 'Export the image with its overlay as PNG', () => pair && state.data && void sendExport(port, 'png', `${state.data.image.name}-lens.png`, overlayPng(pair.image, pair.overlayCanvas, state.overlay.map === 'none' ? 0 : state.overlay.opacity), show)),
  commandButton('JSON', 'Export the maps as JSON', () => state.data && void sendExport(port, 'json', `${state.data.image.name}-lens.json`, exportJson({ image: state.data.image.path, prompt: state.data.prompt, maps: state.data.maps, model: state.data.model }), show)),
);
bar.append(promptLabel, prompt);
app.classList.add('editor');
app.append(bar, actions, status, facts, view);

port.listen((message) => {
  if (message.type === Msg.Data) {
    state.data = message.data as EditorData;
    render();
  } else if (message.type === Msg.Busy) {
    status.textContent = message.message ?? '';
  } else if (message.type === Msg.Error) {
    show(message.message);
  }
});

render();
port.requests.send({ type: Msg.Ready }).then((data) => {
  state.data = data as EditorData;
  render();
}, (error: Error) => show(error.message));
