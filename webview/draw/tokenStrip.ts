/**
 * The tokens of one text as a row of chips, so the user sees how the tokenizer cut the text (and where it
 * was truncated). Special tokens (`<|startoftext|>`, `[CLS]`, `<s>` …) are styled apart.
 */
import type { TextInfo } from '../../src/shared/analysisResult';
import { el } from './dom';

const SPECIAL = /^(<\|.*\|>|\[[A-Z]+\]|<\/?s>|<pad>|<unk>)$/;

/** Whether `token` is a tokenizer's special token (start, end, padding, unknown), which views style apart. */
export function isSpecialToken(token: string): boolean {
  return SPECIAL.test(token);
}

/** Appends the token strip of `text` to `container` and returns it. */
export function drawTokenStrip(container: HTMLElement, text: TextInfo): HTMLElement {
  const strip = el('div', 'token-strip');
  strip.append(el('p', 'token-text', text.text));
  const list = el('ol', 'tokens');
  list.setAttribute('aria-label', `${text.tokens.length} tokens of "${text.text}"`);
  text.tokens.forEach((token, i) => {
    const chip = el('li', isSpecialToken(token) ? 'token token-special' : 'token', token);
    chip.title = `token ${i}`;
    list.append(chip);
  });
  strip.append(list);
  if (text.truncated) strip.append(el('p', 'token-note', 'Truncated: the text was longer than the model accepts; later words were dropped.'));
  container.append(strip);
  return strip;
}
