/**
 * The analysis panel's "Compute occlusion" control: in VS Code the panel can ask the extension to occlude each
 * patch of an image in turn and map the drop of one text's score. The standalone HTML report has no extension to
 * ask, so it shows no such control.
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import type { AttentionRowsReply, OcclusionReply } from '../src/shared/protocol';
import { el, labelledSelect } from './draw/dom';
import type { GridValues } from './draw/heatmapCanvas';
import type { ExportFile } from './panelExports';

/** What a panel can ask of the extension that opened it. */
export interface AnalysisActions {
  computeOcclusion(image: number, text: number): Promise<OcclusionReply>;
  /** Query `query`'s attention rows of item `item`, when the page holds the first token's rows only. */
  attentionRows(item: number, query: number): Promise<AttentionRowsReply>;
  /** Hands a file to the extension to save. */
  exportFile: ExportFile;
}

/** A computed map and how to name it in the overlay list. */
export interface AddedMap {
  key: string;
  label: string;
  grid: GridValues;
}

/** An occlusion map computed on the page: for which image and text, how it was named, its values. */
export interface ComputedOcclusion {
  image: number;
  text: number;
  label: string;
  score: string;
  forwardPasses: number;
  rows: number;
  cols: number;
  values: number[];
}

/** The maps computed so far for each drawn result, one per image and text (a later one replaces an earlier). */
const computed = new WeakMap<AnalysisResult, ComputedOcclusion[]>();

/** The occlusion maps computed so far on the page for `result`, in the order they were computed. */
export function computedOcclusions(result: AnalysisResult): ComputedOcclusion[] {
  return computed.get(result) ?? [];
}

/** The text picker, button and status line for image `image`; `onMap` receives each computed map. */
export function occlusionControls(result: AnalysisResult, image: number, actions: AnalysisActions, onMap: (map: AddedMap) => void): HTMLElement {
  const texts = result.texts.map((t, i) => ({ value: String(i), label: t.text }));
  let text = 0;
  const picker = labelledSelect('Occlusion for', texts, '0', (v) => (text = Number(v)));
  const button = el('button', 'occlusion-button', 'Compute occlusion');
  button.type = 'button';
  const status = el('span', 'occlusion-status');
  status.setAttribute('role', 'status');
  button.addEventListener('click', async () => {
    const chosen = text;
    button.disabled = true;
    status.textContent = 'Computing occlusion (one forward pass per patch)...';
    try {
      const reply = await actions.computeOcclusion(image, chosen);
      const label = `Occlusion for "${result.texts[chosen].text}" (drop of the ${reply.score}, ${reply.forwardPasses} forward passes)`;
      const kept = computedOcclusions(result).filter((m) => m.image !== image || m.text !== chosen);
      computed.set(result, [...kept, { image, text: chosen, label, score: reply.score, forwardPasses: reply.forwardPasses, rows: reply.rows, cols: reply.cols, values: Array.from(reply.values) }]);
      onMap({ key: `occlusion-${chosen}`, label, grid: { rows: reply.rows, cols: reply.cols, values: reply.values } });
      status.textContent = '';
    } catch (error) {
      status.textContent = `Occlusion failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      button.disabled = false;
    }
  });
  const controls = el('div', 'controls occlusion');
  controls.append(picker.element, button, status);
  return controls;
}
