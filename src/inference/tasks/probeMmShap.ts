/**
 * MM-SHAP over a probe's pairs (tasks/pairAttribution.ts per pair): T-SHAP of each of the first pairs of the set,
 * with its mean and population standard deviation as the authors report them (mean +/- np.std), and on a labelled
 * set the same over the matching and the non-matching pairs (the authors' captions and foils). It needs no labels.
 */
import type { LongRunOptions } from '../../core/progress';
import type { ProbeMmShap } from '../../shared/attributionResult';
import type { ModelAdapter } from '../families/adapter';
import { preprocessImage, type PreprocessedImage } from '../images/preprocess';
import { pairMmShap, type PairAttributionSettings } from './pairAttribution';

/** MM-SHAP's settings in a probe: the pairs it runs on and how it hides features. */
export interface ProbeMmShapSettings extends PairAttributionSettings {
  /** MM-SHAP runs on the first `pairs` pairs of the set. */
  pairs: number;
}

/** Mean and population standard deviation, null for no values. */
function spread(values: number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) };
}

/** MM-SHAP of the first `settings.pairs` pairs; each distinct image is preprocessed once. */
export async function probeMmShap(model: ModelAdapter, pairs: { image: string; caption: string; label?: boolean }[], labelled: boolean, settings: ProbeMmShapSettings, maxPixels: number | undefined, options: LongRunOptions = {}): Promise<ProbeMmShap> {
  const chosen = pairs.slice(0, settings.pairs);
  const images = new Map<string, PreprocessedImage>();
  const reports = [];
  for (const [i, pair] of chosen.entries()) {
    if (!images.has(pair.image)) images.set(pair.image, await preprocessImage(pair.image, model.folder.preprocessor, { maxPixels }));
    reports.push(await pairMmShap({ model, image: images.get(pair.image)!, imagePath: pair.image, text: pair.caption }, settings, { signal: options.signal }));
    options.onProgress?.({ stage: 'MM-SHAP', done: i + 1, total: chosen.length });
  }
  const tShap = reports.map((r) => r.tShap);
  const { mean, std } = spread(tShap);
  const byLabel = (matching: boolean) => spread(tShap.filter((_, i) => (chosen[i].label !== false) === matching));
  return {
    score: reports[0].score,
    tShap,
    pairs: reports.length,
    mean: mean!,
    std: std!,
    ...(labelled && { byLabel: { matching: byLabel(true), nonMatching: byLabel(false) } }),
    settings: { grid: settings.grid ?? null, imageFill: settings.imageFill ?? 'mean', maskId: reports[0].settings.maskId, evaluations: settings.evaluations ?? null, seed: settings.seed ?? 0 },
    departures: [...new Set(reports.flatMap((r) => r.departures))],
    forwardPasses: reports.reduce((n, r) => n + r.forwardPasses, 0),
  };
}
