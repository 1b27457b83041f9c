/**
 * Export buttons of the panels, and the analysis panel's exports: each image with its current overlay as PNG,
 * and the whole analysis as JSON. The page builds the file; the extension asks where to save it. (The analysis
 * tables are HTML, not vector drawings, so that panel offers no SVG; the probe panel's charts have one.)
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import type { ExportFormat } from '../src/shared/protocol';
import { el } from './draw/dom';
import { exportJson, overlayPng } from './explorer/exporting';
import type { AnalysisActions } from './occlusionControls';

/** Hands a file to the extension, which asks where to save it; `report` gets where it went, or why it failed. */
export type ExportFile = (format: ExportFormat, fileName: string, content: string, report: (line: string) => void) => Promise<void>;

/** One button's label and the export it runs, which reports into the row's status line. */
export type ExportAction = [label: string, make: (report: (line: string) => void) => Promise<void>];

/**
 * A row of export buttons sharing one status line; each button is disabled while its export runs. `subject` names
 * what they export, so each button's accessible name says it ("Export PNG: the score matrix"): a page has many rows.
 */
export function exportControls(actions: ExportAction[], subject?: string): HTMLElement {
  const status = el('span', 'export-status');
  status.setAttribute('role', 'status');
  const controls = el('div', 'controls export');
  for (const [label, make] of actions) {
    const button = el('button', 'export-button', label);
    button.type = 'button';
    if (subject) button.setAttribute('aria-label', `${label}: ${subject}`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      await make((line) => (status.textContent = line)).catch((error: Error) => (status.textContent = `Export failed: ${error.message}`));
      button.disabled = false;
    });
    controls.append(button);
  }
  controls.append(status);
  return controls;
}

/** "Export PNG" for one image card: the image with the overlay as shown (map and opacity). */
export function imageExport(card: HTMLElement, name: string, actions: AnalysisActions): HTMLElement {
  return exportControls([['Export PNG', (report) => {
    const image = card.querySelector<HTMLImageElement>('img.overlay-image')!;
    const map = card.querySelector<HTMLCanvasElement>('canvas.overlay-map')!;
    const opacity = Number.parseFloat(map.style.opacity || '1');
    return actions.exportFile('png', `${name.replace(/\.[^.]*$/, '')}-overlay.png`, overlayPng(image, map, opacity), report);
  }]], `${name} with its overlay`);
}

/** "Export JSON" of the whole analysis, as `mmlens analyze --json` writes it. */
export function resultExport(result: AnalysisResult, actions: AnalysisActions): HTMLElement {
  return exportControls([['Export JSON', (report) => actions.exportFile('json', 'analysis.json', exportJson(result), report)]], 'the whole analysis');
}
