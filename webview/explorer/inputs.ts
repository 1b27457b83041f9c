/**
 * The explorer's inputs, from @vscode-elements/elements (VS Code's look, keyboard and screen-reader support):
 * a text area of texts or labels (of prompts with a generative model, which takes no template), a template
 * field, and the action buttons. Images also arrive by dropping
 * files from VS Code's explorer (text/uri-list) anywhere on the view.
 */
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { MAX_URIS } from '../../src/shared/protocolValidators';
import { parseUriList } from '../../src/shared/imagePaths';
import { commandButton } from '../draw/commandButton';
import { el, uniqueId } from '../draw/dom';

function field<T extends HTMLElement & { label: string }>(tag: string, label: string, className: string): { wrapper: HTMLElement; control: T } {
  const control = document.createElement(tag) as T;
  control.id = uniqueId(className);
  control.className = className;
  control.label = label;
  const text = el('label', 'control-label', label);
  text.htmlFor = control.id;
  const wrapper = el('div', 'field');
  wrapper.append(text, control);
  return { wrapper, control };
}

const TEXTS_LABEL = 'Texts or labels, one per line';
const PROMPTS_LABEL = 'Prompts, one per line (the model answers each about each image)';

/** The text inputs; `apply` receives the labels (one per non-empty line) and the template. */
export interface TextInputs {
  element: HTMLElement;
  /** Shows the host's texts unless the user is editing them; `prompts`: they are a generative model's prompts. */
  show(labels: string[], template: string, prompts: boolean): void;
}

/** Creates the text area, template field and Apply button. */
export function textInputs(apply: (labels: string[], template: string) => void): TextInputs {
  const texts = field<VscodeTextarea>('vscode-textarea', TEXTS_LABEL, 'texts-input');
  texts.control.rows = 4;
  const template = field<VscodeTextfield>('vscode-textfield', 'Template ({label} is replaced by each line; empty: lines as written)', 'template-input');
  template.control.placeholder = 'a photo of a {label}';
  const submit = () => apply(texts.control.value.split(/\r?\n/).map((t) => t.trim()).filter((t) => t !== ''), template.control.value.trim());
  const element = el('div', 'text-inputs');
  element.append(texts.wrapper, template.wrapper, commandButton('Apply texts', 'Apply the texts and compute the matrix (or the answers)', submit));
  return {
    element,
    show(labels, value, prompts) {
      texts.wrapper.querySelector('label')!.textContent = prompts ? PROMPTS_LABEL : TEXTS_LABEL;
      texts.control.label = prompts ? PROMPTS_LABEL : TEXTS_LABEL;
      template.wrapper.hidden = prompts;
      const active = document.activeElement;
      if (active !== texts.control) texts.control.value = labels.join('\n');
      if (active !== template.control) template.control.value = value;
    },
  };
}

/** Lets files dropped from VS Code's explorer onto `target` be added; `add` receives their URIs. */
export function acceptDrops(target: HTMLElement, add: (uris: string[]) => void): void {
  const types = ['text/uri-list', 'application/vnd.code.uri-list'];
  target.addEventListener('dragover', (event) => {
    if (event.dataTransfer && types.some((t) => event.dataTransfer!.types.includes(t))) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      target.classList.add('drop-ready');
    }
  });
  target.addEventListener('dragleave', () => target.classList.remove('drop-ready'));
  target.addEventListener('drop', (event) => {
    target.classList.remove('drop-ready');
    const list = event.dataTransfer?.getData('text/uri-list') || event.dataTransfer?.getData('application/vnd.code.uri-list') || '';
    const uris = parseUriList(list).slice(0, MAX_URIS);
    if (uris.length === 0) return;
    event.preventDefault();
    add(uris);
  });
}
