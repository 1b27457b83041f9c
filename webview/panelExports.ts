/**
 * Export buttons of the panels, and the analysis panel's JSON of the whole analysis. The page builds the file;
 * the extension asks where to save it. The figures' own exports (SVG, PNG and JSON of each) are in
 * webview/figureExports.ts.
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import type { ExportFormat } from '../src/shared/protocol';
import { commandButton } from './draw/commandButton';
import { el } from './draw/dom';
import { exportJson } from './explorer/exporting';
import { computedOcclusions, type AnalysisActions } from './occlusionControls';

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
    const button = commandButton(label, subject ? `${label}: ${subject}` : undefined, async () => {
      button.disabled = true;
      await make((line) => (status.textContent = line)).catch((error: Error) => (status.textContent = `Export failed: ${error.message}`));
      button.disabled = false;
    }, 'export-button');
    button.secondary = true;
    controls.append(button);
  }
  controls.append(status);
  return controls;
}

/**
 * "Export JSON" of the whole analysis, as `mmlens analyze --json` writes it, with the occlusion maps computed on
 * the page so far in `maps.occlusion` (each with its image, text, score and values, rows x cols).
 */
export function resultExport(result: AnalysisResult, actions: AnalysisActions): HTMLElement {
  return exportControls([['Export JSON', async (report) => {
    const occlusion = computedOcclusions(result).map(({ values, rows, cols, ...about }) => ({ ...about, rows, cols, map: Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols)) }));
    await actions.exportFile('json', 'analysis.json', exportJson(occlusion.length > 0 ? { ...result, maps: { ...result.maps, occlusion } } : result), report);
  }]], 'the whole analysis');
}
