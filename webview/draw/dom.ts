/**
 * Small DOM helpers for the views. All text goes in through textContent, never parsed as HTML, because
 * captions, paths and tokens come from the user or a tokenizer.
 */

/** Creates an element with an optional class and text content. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

let nextId = 0;

/** A document-unique id, so that labels can point at their controls even when a view is drawn twice. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `mmlens-${prefix}-${nextId}`;
}

/** A control wrapped with its visible <label>. */
export interface Labelled<T extends HTMLElement> {
  element: HTMLElement;
  control: T;
}

function labelled<T extends HTMLElement>(label: string, control: T): Labelled<T> {
  control.id = uniqueId('control');
  const text = el('label', 'control-label', label);
  text.htmlFor = control.id;
  const element = el('span', 'control');
  element.append(text, control);
  return { element, control };
}

/** One choice of a select: its value and the text shown. */
export interface Choice {
  value: string;
  label: string;
}

/** A labelled <select>; `onChange` receives the chosen value. */
export function labelledSelect(label: string, choices: Choice[], selected: string, onChange: (value: string) => void): Labelled<HTMLSelectElement> {
  const select = el('select');
  for (const choice of choices) {
    const option = el('option', undefined, choice.label);
    option.value = choice.value;
    select.append(option);
  }
  select.value = selected;
  select.addEventListener('change', () => onChange(select.value));
  return labelled(label, select);
}

/** A labelled numeric input (`type` range or number); `onInput` receives each new valid value. */
export function labelledNumber(
  label: string,
  type: 'range' | 'number',
  range: { min: number; max: number; step: number; value: number },
  onInput: (value: number) => void,
): Labelled<HTMLInputElement> {
  const input = el('input');
  input.type = type;
  input.min = String(range.min);
  input.max = String(range.max);
  input.step = String(range.step);
  input.value = String(range.value);
  input.addEventListener('input', () => {
    const value = input.valueAsNumber;
    if (Number.isFinite(value) && value >= range.min && value <= range.max) onInput(value);
  });
  return labelled(label, input);
}

/** A checkbox with its visible <label> after it; `onChange` receives each new state. */
export function labelledCheckbox(label: string, checked: boolean, onChange: (checked: boolean) => void = () => undefined): Labelled<HTMLInputElement> {
  const box = el('input');
  box.type = 'checkbox';
  box.checked = checked;
  box.id = uniqueId('checkbox');
  box.addEventListener('change', () => onChange(box.checked));
  const text = el('label', 'control-label', label);
  text.htmlFor = box.id;
  const element = el('span', 'control');
  element.append(box, text);
  return { element, control: box };
}

/** The file name at the end of a path, for captions (handles / and \ separators). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** Appends the result's notices to `parent` as a labelled list (nothing when there are none). */
export function appendNotices(parent: HTMLElement, notices: readonly string[]): void {
  if (notices.length === 0) return;
  const list = el('ul', 'notices');
  list.setAttribute('aria-label', 'Notices');
  for (const notice of notices) list.append(el('li', undefined, notice));
  parent.append(list);
}
