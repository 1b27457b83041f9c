/**
 * Theme colours for what the views paint on canvas (CSS cannot reach into a bitmap). They are read live from
 * the `--vscode-*` variables VS Code sets on <html>, and the views repaint when VS Code switches theme (it
 * rewrites that style attribute and the body's `vscode-light` / `vscode-dark` / `vscode-high-contrast` class).
 */

/** The current value of a CSS variable, or `fallback` when the theme does not set it. */
export function themeColour(variable: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(variable).trim() || fallback;
}

/** The colours a heatmap paints besides its cells. */
export interface CanvasTheme {
  /** Gaps between cells: the editor background. */
  background: string;
  /** The opened cell's frame: the focus border, or the contrast border in high-contrast themes. */
  selection: string;
}

/** The canvas colours of the current theme. */
export function canvasTheme(): CanvasTheme {
  const highContrast = /vscode-high-contrast/.test(document.body.className);
  const focus = themeColour('--vscode-focusBorder', '#007fd4');
  return {
    background: themeColour('--vscode-editor-background', '#1e1e1e'),
    selection: highContrast ? themeColour('--vscode-contrastActiveBorder', focus) : focus,
  };
}

/** Calls `repaint` whenever VS Code changes the theme; returns a function that stops watching. */
export function onThemeChange(repaint: () => void): () => void {
  const observer = new MutationObserver(() => repaint());
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}
