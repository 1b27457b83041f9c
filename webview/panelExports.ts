/**
 * The analysis panel's exports: each image with its current overlay as PNG, and the whole analysis as JSON. The
 * page builds the file; the extension asks where to save it. (The tables are HTML, not vector drawings, so the
 * panel offers no SVG; the explorer's matrix has one.)
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import { el } from './draw/dom';
import { exportJson, overlayPng } from './explorer/exporting';
import type { AnalysisActions } from './occlusionControls';

/** A button that runs `make`, which reports into `status`. */
function exportButton(label: string, status: HTMLElement, make: (report: (line: string) => void) => Promise<void>): HTMLButtonElement {
  const button = el('button', 'export-button', label);
  button.type = 'button';
  button.addEventListener('click', async () => {
    button.disabled = true;
    await make((line) => (status.textContent = line));
    button.disabled = false;
  });
  return button;
}

/** "Export PNG" for one image card: the image with the overlay as shown (map and opacity). */
export function imageExport(card: HTMLElement, name: string, actions: AnalysisActions): HTMLElement {
  const status = el('span', 'export-status');
  status.setAttribute('role', 'status');
  const button = exportButton('Export PNG', status, (report) => {
    const image = card.querySelector<HTMLImageElement>('img.overlay-image')!;
    const map = card.querySelector<HTMLCanvasElement>('canvas.overlay-map')!;
    const opacity = Number.parseFloat(map.style.opacity || '1');
    return actions.exportFile('png', `${name.replace(/\.[^.]*$/, '')}-overlay.png`, overlayPng(image, map, opacity), report);
  });
  const controls = el('div', 'controls export');
  controls.append(button, status);
  return controls;
}

/** "Export JSON" of the whole analysis, as `mmlens analyze --json` writes it. */
export function resultExport(result: AnalysisResult, actions: AnalysisActions): HTMLElement {
  const status = el('span', 'export-status');
  status.setAttribute('role', 'status');
  const controls = el('div', 'controls export');
  controls.append(exportButton('Export JSON', status, (report) => actions.exportFile('json', 'analysis.json', exportJson(result), report)), status);
  return controls;
}
