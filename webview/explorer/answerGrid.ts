/**
 * A generative model's answers in the explorer: a table of images (rows) x prompts (columns), each cell the answer
 * as the model wrote it (a placeholder until then), a button that opens the Ask About Image panel on that image with
 * that prompt, where every word of the answer has its map. The table scrolls within its own frame, so it stays
 * whole in a narrow sidebar; long answers wrap and long prompts truncate with the full text as the tooltip.
 */
import { el } from '../draw/dom';

/** What the grid shows; answers[image][prompt] is null until written. */
export interface AnswerGridInput {
  rowLabels: string[];
  rowThumbs: string[];
  prompts: string[];
  answers: (string | null)[][];
}

/** The drawn grid; `setAnswer` fills one cell as its answer arrives, without redrawing the rest. */
export interface AnswerGridView {
  element: HTMLElement;
  setAnswer(image: number, prompt: number, answer: string): void;
}

const PENDING = 'waiting…';

function cellButton(input: AnswerGridInput, image: number, prompt: number, ask: (image: number, prompt: number) => void): HTMLButtonElement {
  const button = el('button', 'answer-cell');
  button.type = 'button';
  button.dataset.image = String(image);
  button.dataset.text = String(prompt);
  button.addEventListener('click', () => ask(image, prompt));
  fill(button, input, image, prompt, input.answers[image]?.[prompt] ?? null);
  return button;
}

function fill(button: HTMLButtonElement, input: AnswerGridInput, image: number, prompt: number, answer: string | null): void {
  const where = `${input.rowLabels[image]}, "${input.prompts[prompt]}"`;
  button.textContent = answer === null ? PENDING : answer === '' ? '(empty answer)' : answer;
  button.classList.toggle('pending', answer === null);
  button.disabled = answer === null;
  button.setAttribute('aria-label', answer === null ? `${where}: not answered yet` : `${where}: ${answer || 'empty answer'}. Open in Ask About Image to see where each word looks`);
  button.title = answer === null ? '' : 'Ask again in the Ask About Image panel, with the map of every word';
}

/** Draws the grid; `ask` opens a cell's image and prompt in the Ask About Image panel. */
export function drawAnswerGrid(input: AnswerGridInput, ask: (image: number, prompt: number) => void): AnswerGridView {
  const table = el('table', 'answer-grid');
  table.setAttribute('aria-label', `Answers to ${input.prompts.length} prompt(s) (columns) about ${input.rowLabels.length} image(s) (rows)`);
  const head = table.createTHead().insertRow();
  head.append(el('th', 'answer-corner', 'Image \\ prompt'));
  for (const prompt of input.prompts) {
    const th = el('th', 'answer-prompt', prompt);
    th.scope = 'col';
    th.title = prompt;
    head.append(th);
  }
  const body = table.createTBody();
  const buttons = input.rowLabels.map((label, i) => {
    const row = body.insertRow();
    const th = el('th', 'answer-image');
    th.scope = 'row';
    th.title = label;
    const thumb = el('img', 'row-thumb');
    thumb.src = input.rowThumbs[i] ?? '';
    thumb.alt = '';
    th.append(thumb, el('span', 'image-name', label));
    row.append(th);
    return input.prompts.map((_, j) => {
      const button = cellButton(input, i, j, ask);
      row.insertCell().append(button);
      return button;
    });
  });
  const frame = el('div', 'answer-frame');
  frame.append(table);
  const element = el('div', 'answer-view');
  element.append(el('p', 'note', 'Choose an answer to ask it again in the Ask About Image panel, where each word shows where the model looked.'), frame);
  return {
    element,
    setAnswer(image, prompt, answer) {
      const button = buttons[image]?.[prompt];
      if (button) fill(button, input, image, prompt, answer);
    },
  };
}
