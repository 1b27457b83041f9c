/**
 * The analysis panel's "Compute occlusion" and "Compute RISE" controls: in VS Code the panel can ask the extension
 * to occlude each patch of an image in turn and map the drop of one text's score, or to score the image under
 * random masks (RISE), which finds the object where one hidden patch changes little. Beside each button, how often
 * that method found the named object on this model (mapTrust.ts). The standalone HTML report has no extension to
 * ask, so it shows no such control.
 */
import type { AnalysisResult } from '../src/shared/analysisResult';
import type { AttentionRowsReply, OcclusionReply, PerturbationMethod } from '../src/shared/protocol';
import { commandButton } from './draw/commandButton';
import { el, labelledSelect } from './draw/dom';
import type { GridValues } from './draw/heatmapCanvas';
import { methodFigure } from './mapTrust';
import type { ExportFile } from './panelExports';

/** What a panel can ask of the extension that opened it. */
export interface AnalysisActions {
  computeOcclusion(image: number, text: number, method: PerturbationMethod): Promise<OcclusionReply>;
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

/** An occlusion or RISE map computed on the page: for which image and text, how it was named, its values. */
export interface ComputedOcclusion {
  method: PerturbationMethod;
  image: number;
  text: number;
  label: string;
  score: string;
  forwardPasses: number;
  rows: number;
  cols: number;
  values: number[];
}

/** The maps computed so far for each drawn result, one per method, image and text (a later one replaces an earlier). */
const computed = new WeakMap<AnalysisResult, ComputedOcclusion[]>();

/** The occlusion and RISE maps computed so far on the page for `result`, in the order they were computed. */
export function computedOcclusions(result: AnalysisResult): ComputedOcclusion[] {
  return computed.get(result) ?? [];
}

const METHODS: Record<PerturbationMethod, { name: string; cost: string }> = {
  occlusion: { name: 'occlusion', cost: 'one forward pass per patch' },
  rise: { name: 'RISE', cost: 'one forward pass per random mask' },
};

/** The text picker, a button per method with its measured figure, and the status line for image `image`; `onMap` receives each computed map. */
export function occlusionControls(result: AnalysisResult, image: number, actions: AnalysisActions, onMap: (map: AddedMap) => void): HTMLElement {
  const texts = result.texts.map((t, i) => ({ value: String(i), label: t.text }));
  let text = 0;
  const picker = labelledSelect('Map for', texts, '0', (v) => (text = Number(v)));
  const status = el('span', 'occlusion-status');
  status.setAttribute('role', 'status');
  const compute = async (method: PerturbationMethod) => {
    const chosen = text;
    const { name, cost } = METHODS[method];
    for (const button of buttons) button.disabled = true;
    status.textContent = `Computing ${name} (${cost})...`;
    try {
      const reply = await actions.computeOcclusion(image, chosen, method);
      const what = method === 'rise' ? `mask-weighted ${reply.score}` : `drop of the ${reply.score}`;
      const label = `${method === 'rise' ? 'RISE' : 'Occlusion'} for "${result.texts[chosen].text}" (${what}, ${reply.forwardPasses} forward passes)`;
      const kept = computedOcclusions(result).filter((m) => m.method !== method || m.image !== image || m.text !== chosen);
      computed.set(result, [...kept, { method, image, text: chosen, label, score: reply.score, forwardPasses: reply.forwardPasses, rows: reply.rows, cols: reply.cols, values: Array.from(reply.values) }]);
      onMap({ key: `${method}-${chosen}`, label, grid: { rows: reply.rows, cols: reply.cols, values: reply.values } });
      status.textContent = '';
    } catch (error) {
      status.textContent = `${method === 'rise' ? 'RISE' : 'Occlusion'} failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  };
  const methods = Object.keys(METHODS) as PerturbationMethod[];
  const buttons = methods.map((method) => commandButton(`Compute ${METHODS[method].name}`, undefined, () => compute(method), `${method}-button`));
  const controls = el('div', 'controls occlusion');
  controls.append(picker.element);
  methods.forEach((method, i) => {
    const figure = el('span', 'method-figure', methodFigure(result, method));
    figure.id = `${method}-figure-${image}`;
    buttons[i].setAttribute('aria-describedby', figure.id);
    // Button and figure wrap as one, so a figure never lands beside the other method's button.
    const choice = el('span', 'method-choice');
    choice.append(buttons[i], figure);
    controls.append(choice);
  });
  controls.append(status);
  return controls;
}
