/**
 * `mmlens probe`: retrieval and fusion probes over a set of image-caption pairs. The model scores every image
 * of the set with every caption (two-tower: cosine of embeddings; single-stream: ITM log-odds of joint
 * passes); retrieval, EMAP and the perceptual score come from that matrix, the modality ablation from the
 * empty text and the mean image, and the geometry (two-tower) or cross-modal attention (single-stream) from
 * the model's internals (each family's `probe` gives its scores and internals). Repeated images and captions
 * are scored once. Rows whose file turns out not to be a usable image are dropped and counted, and the rest is
 * probed again from the start, so that every number is that of the usable rows alone.
 */
import type { PairKeys } from '../../analysis/probes/retrieval';
import { PROBE_SCHEMA_VERSION, type AblationSide, type ProbeMetric, type ProbeResult } from '../../shared/probeResult';
import { badInput, type LensError } from '../../core/errors';
import type { LongRunOptions } from '../../core/progress';
import { withoutImages, type Manifest, type ManifestOptions } from '../datasets/manifest';
import type { ModelAdapter } from '../families/adapter';
import { ProbeImages, UnusableImages } from './probeImages';
import { emapProbe, perceptualProbe, retrievalRecall } from './probeMetrics';
import { probeMmShap, type ProbeMmShapSettings } from './probeMmShap';
import type { Stopwatch } from './stopwatch';

/** How to probe. */
export interface ProbeSettings {
  /** Seed of the permutations of the perceptual score (default 0). */
  seed?: number;
  /** The fusion probes' metric; default accuracy for a manifest labelled with both kinds (hard negatives among them), else recall@1. */
  metric?: ProbeMetric;
  /** Refuse images with more pixels than this. */
  maxPixels?: number;
  /** MM-SHAP on the first pairs of the set (tasks/probeMmShap.ts); not run when absent. */
  mmShap?: ProbeMmShapSettings;
}

/** A probe request to the inference service: the manifest, the model folder (the default model when omitted) and the settings. */
export interface ProbeRequest extends Omit<ProbeSettings, 'maxPixels'> {
  modelDir?: string;
  manifest: ManifestOptions;
}

/** The score matrix goes into the JSON up to this many pairs (250 000 numbers). */
export const MAX_MATRIX_PAIRS = 500;

/** The distinct values of `values` and, for each value, the index of its distinct entry. */
function distinct(values: string[]): { list: string[]; keys: Uint32Array } {
  const index = new Map<string, number>();
  const keys = Uint32Array.from(values, (v) => {
    if (!index.has(v)) index.set(v, index.size);
    return index.get(v)!;
  });
  return { list: [...index.keys()], keys };
}

/**
 * The fusion probes' metric: the one asked for, else the labelled form (accuracy, as Hessel & Lee evaluate EMAP)
 * whenever the labels hold non-matching pairs, and recall@1 only without them.
 */
function chooseMetric(metric: ProbeMetric | undefined, manifest: Manifest): ProbeMetric {
  if (metric && metric !== 'recall@1' && !manifest.labelled) {
    throw badInput(`The ${metric} metric needs a labelled manifest, and ${manifest.path} has no "label" field.`, 'Add a label (1 match, 0 no match) to every row, or use --metric recall@1.');
  }
  if (!manifest.pairs.some((p) => p.label !== false)) {
    throw badInput(`Every pair of ${manifest.path} is labelled 0 (no match); retrieval needs matching pairs.`, 'Add pairs labelled 1.');
  }
  const negatives = manifest.pairs.some((p) => p.label === false);
  return metric ?? (negatives ? 'accuracy' : 'recall@1');
}

/** The score of every pair's image with every pair's caption, from the scores of the distinct ones. */
function pairMatrix(distinctScores: Float32Array, keys: PairKeys, captions: number): Float32Array {
  const n = keys.images.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = distinctScores[keys.images[i] * captions + keys.captions[j]];
  return out;
}

function ablationSide(own: Float32Array, replaced: number[], keys: PairKeys): AblationSide {
  const drop = replaced.map((score, i) => own[i] - score);
  const matching = drop.filter((_, i) => keys.matches[i]);
  return { scores: replaced, drop, meanDrop: matching.reduce((sum, d) => sum + d, 0) / matching.length };
}

function nested(scores: Float32Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(scores.subarray(i * n, (i + 1) * n)));
}

/**
 * Runs every probe on `manifest` with `model`. A family's run that meets unusable images ends early with all
 * of them (UnusableImages); their rows are dropped and the run starts again on the rest, which the checked
 * images make the last run unless a file changes in between.
 */
/** The error for a model whose family the probes do not take, with the reason its capabilities give. */
export function probesUnavailable(model: ModelAdapter): LensError {
  const { probes } = model.capabilities;
  const reason = probes.available ? '' : ` (${probes.reason})`;
  return badInput(`The dataset probes do not take ${model.folder.name}, a ${model.family} model${reason}.`, 'Probe a two-tower (CLIP, SigLIP) or single-stream model.');
}

export async function runProbe(model: ModelAdapter, manifest: Manifest, settings: ProbeSettings, stopwatch: Stopwatch, options: LongRunOptions = {}): Promise<ProbeResult> {
  for (;;) {
    try {
      return await probeOnce(model, manifest, settings, stopwatch, options);
    } catch (error) {
      if (!(error instanceof UnusableImages)) throw error;
      const images = distinct(manifest.pairs.map((p) => p.image)).list;
      manifest = withoutImages(manifest, new Map([...error.reasons].map(([index, reason]) => [images[index], reason])));
    }
  }
}

async function probeOnce(model: ModelAdapter, manifest: Manifest, settings: ProbeSettings, stopwatch: Stopwatch, options: LongRunOptions): Promise<ProbeResult> {
  const { pairs } = manifest;
  const n = pairs.length;
  const metric = chooseMetric(settings.metric, manifest);
  const images = distinct(pairs.map((p) => p.image));
  const captions = distinct(pairs.map((p) => p.caption));
  const keys: PairKeys = { images: images.keys, captions: captions.keys, matches: pairs.map((p) => p.label !== false) };
  const probeImages = new ProbeImages(images.list, model.folder.preprocessor, settings.maxPixels, options.signal);
  const run = await model.probe(probeImages, captions.list, keys, stopwatch, options);
  const { mmShap } = settings;
  const shap = mmShap && await stopwatch.time('mmShap', () => probeMmShap(model, pairs, manifest.labelled, mmShap, settings.maxPixels, options));
  return stopwatch.time('analysis', () => {
    const scores = pairMatrix(run.scores, keys, captions.list.length);
    const own = Float32Array.from({ length: n }, (_, i) => scores[i * n + i]);
    const notices = [...run.notices];
    const result: ProbeResult = {
      schemaVersion: PROBE_SCHEMA_VERSION,
      kind: 'probe',
      model: { name: model.folder.name, architecture: model.family, executionProvider: model.executionProvider, notices },
      manifest: {
        path: manifest.path, format: manifest.format, pairs: n, limit: manifest.limit, limited: manifest.limited, labelled: manifest.labelled,
        missingImages: manifest.missingImages, outsideImages: manifest.outsideImages, unreadableImages: manifest.unreadableImages,
      },
      pairs: pairs.map((p) => ({ image: p.image, caption: p.caption, ...(p.label !== undefined && { label: p.label ? 1 : 0 }) })),
      scoreKind: run.scoreKind,
      ...(n <= MAX_MATRIX_PAIRS && { scores: nested(scores, n) }),
      retrieval: retrievalRecall(scores, keys),
      emap: emapProbe(metric, scores, keys),
      perceptualScore: perceptualProbe(metric, scores, keys, settings.seed ?? 0),
      ablation: {
        matched: Array.from(own),
        emptyText: ablationSide(own, Array.from(images.keys, (k) => run.emptyText[k]), keys),
        meanImage: ablationSide(own, Array.from(captions.keys, (k) => run.meanImage[k]), keys),
      },
      timings: {},
    };
    if (run.geometry) result.geometry = run.geometry;
    if (run.crossModalAttention) result.crossModalAttention = run.crossModalAttention;
    if (run.vlInterpret) result.vlInterpret = run.vlInterpret;
    if (shap) result.mmShap = shap;
    if (manifest.missingImages.count > 0) notices.push(`${manifest.missingImages.count} manifest row(s) were skipped because their image does not exist (${manifest.missingImages.examples.join('; ')}).`);
    const { outsideImages: outside, unreadableImages: unreadable } = manifest;
    if (outside.count > 0) notices.push(`${outside.count} manifest row(s) were skipped because their image is outside the folder ${manifest.imageFolder} (${outside.examples.join('; ')}); --allow-outside-paths reads them.`);
    if (unreadable.count > 0) notices.push(`${unreadable.count} manifest row(s) were skipped because their file is not a usable image (${unreadable.examples.join('; ')}).`);
    if (manifest.limited) notices.push(`The manifest has more rows; only the first ${manifest.limit} usable pairs were probed (--limit).`);
    return result;
  });
}
