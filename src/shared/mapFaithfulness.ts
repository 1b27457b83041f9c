/**
 * How far each map method can be trusted on one model: the pointing game `mmlens evaluate` measured on fresh
 * shapes-world scenes, read from the `evaluation.json` the model folder ships (written by
 * `mmlens evaluate --json DIR/evaluation.json`), and the one-line reading a view shows beside each map.
 */
import type { AlignmentSource } from './analysisResult';

/** The file of a model folder that holds its `mmlens evaluate` JSON. */
export const EVALUATION_FILE = 'evaluation.json';

/** A model's measured map faithfulness, as carried by its results (`model.mapFaithfulness`). */
export interface MapFaithfulness {
  /** Where the figures come from, relative to the model folder. */
  file: string;
  scenes: number;
  seed: number;
  /** How many objects (a scoring model) or generated words (a generative one) were scored. */
  measured: { count: number; of: 'objects' | 'words' };
  /** The share of maps whose maximum lies on the named object, per method as evaluate names it; null when the model has no such map. */
  pointingGame: Record<string, number | null>;
}

/** How each evaluated method is named in a view. */
const METHOD_NAMES: Record<string, string> = {
  rollout: 'rollout',
  flow: 'attention flow',
  alignment: 'alignment',
  maskclip: 'MaskCLIP alignment',
  values: 'value-path alignment',
  clearclip: 'ClearCLIP alignment',
  occlusion: 'occlusion',
  rise: 'RISE',
};

/** The display name of an evaluated method. */
export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}

/**
 * The evaluated method behind an overlay of the analysis view, by its select value (`rollout`, `flow`,
 * `alignment-T`, `occlusion-T`, `rise-T`); undefined for a map evaluate does not measure (SigLIP's pooling head).
 * An alignment map is the method the analysis used (`--alignment`): patch tokens, MaskCLIP, the values alone or ClearCLIP.
 */
export function overlayMethod(key: string, alignment: AlignmentSource | undefined): string | undefined {
  if (key === 'rollout' || key === 'flow') return key;
  if (key.startsWith('occlusion-')) return 'occlusion';
  if (key.startsWith('rise-')) return 'rise';
  if (key.startsWith('alignment-')) return alignment === undefined || alignment === 'patchTokens' || alignment === 'crossAttention' ? 'alignment' : alignment;
  return undefined;
}

/** The text a view shows for a model without figures: that they are missing and how to measure them. */
export const NOT_MEASURED = 'Map faithfulness: not measured for this model. Measure it with `mmlens evaluate --model DIR --json DIR/evaluation.json` (fresh shapes-world scenes, for a model that reads prompts such as "a red circle"; docs/methods.md); the panel then shows each method\'s figure.';

/** A method's figure as a view prints it: "70.4%", or "no map" when the model cannot make it, or undefined when not measured. */
export function pointingFigure(faithfulness: MapFaithfulness | undefined, method: string): string | undefined {
  if (!faithfulness || !(method in faithfulness.pointingGame)) return undefined;
  const value = faithfulness.pointingGame[method];
  return value === null ? 'no map' : `${(value * 100).toFixed(1)}%`;
}

/** The methods a panel computes on request rather than with the analysis. */
const COMPUTED = ['occlusion', 'rise'];

/** A reading is a caution when another offered method found the object this many points more often. */
export const CAUTION_POINTS = 10;

/**
 * The one-line reading beside the map shown: its method's pointing game on this model and where the figures come
 * from, and a caution naming a better method among `offered` when the shown one finds the object at least
 * CAUTION_POINTS less often. Without figures, NOT_MEASURED; without a method (no map, or one evaluate does not
 * measure), the figures of the offered methods only.
 */
export function faithfulnessReading(faithfulness: MapFaithfulness | undefined, method: string | undefined, offered: readonly string[]): { text: string; caution: boolean } {
  if (!faithfulness) return { text: NOT_MEASURED, caution: false };
  const source = `mmlens evaluate on ${faithfulness.scenes} shapes-world scenes, ${faithfulness.measured.count} ${faithfulness.measured.of}, seed ${faithfulness.seed}`;
  const measured = offered.filter((m) => typeof faithfulness.pointingGame[m] === 'number');
  const all = measured.map((m) => `${methodName(m)} ${pointingFigure(faithfulness, m)}`).join(', ');
  const value = method === undefined ? undefined : faithfulness.pointingGame[method];
  if (method === undefined || typeof value !== 'number') {
    return { text: `How often each map's maximum lies on the named object (pointing game, ${source}): ${all || 'none of these maps was measured'}.`, caution: false };
  }
  const best = measured.reduce((a, b) => (faithfulness.pointingGame[b]! > faithfulness.pointingGame[a]! ? b : a), method);
  const gap = (faithfulness.pointingGame[best]! - value) * 100;
  const shown = `On this model the ${methodName(method)} map's maximum lies on the named object in ${pointingFigure(faithfulness, method)} of tests (pointing game, ${source}).`;
  if (gap < CAUTION_POINTS) return { text: `${shown} Measured here: ${all}.`, caution: false };
  const check = COMPUTED.includes(best) ? `compute ${methodName(best)} to check` : `show it to compare`;
  return { text: `${shown} It can miss the object: ${methodName(best)} found it in ${pointingFigure(faithfulness, best)}; ${check}. Measured here: ${all}.`, caution: true };
}
