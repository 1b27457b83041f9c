/**
 * The views' one command button, beside dom.ts rather than in it because it loads vscode-elements (lit), which
 * needs a browser, while dom.ts's helpers are also imported by tests running in Node.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';

/**
 * A command button: vscode-elements' <vscode-button>, in VS Code's button colours, spacing and focus ring (its
 * --vscode-button-* variables, with VS Code's dark defaults in a standalone report), pressed by click, Enter or
 * Space. `label` is the visible text, `ariaLabel` the accessible name (the label when absent), `className` what
 * other code finds it by. `onPress` does not run while the button is disabled, and a disabled button says so to
 * assistive technology (aria-disabled follows the disabled attribute). Content that can be chosen (a token, a
 * head's thumbnail) stays a native button styled as content.
 */
export function commandButton(label: string, ariaLabel: string | undefined, onPress: () => unknown, className?: string): VscodeButton {
  const element = document.createElement('vscode-button');
  element.textContent = label;
  if (className) element.className = className;
  if (ariaLabel) element.setAttribute('aria-label', ariaLabel);
  element.addEventListener('click', () => {
    if (!element.disabled) onPress();
  });
  const sayDisabled = () => element.setAttribute('aria-disabled', String(element.hasAttribute('disabled')));
  sayDisabled();
  new MutationObserver(sayDisabled).observe(element, { attributes: true, attributeFilter: ['disabled'] });
  return element;
}
