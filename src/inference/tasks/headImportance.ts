/**
 * Head importance by ablation (Michel, Levy & Neubig 2019): the family gives one image-text score as a function
 * of a head mask over some layers (HeadAblationTarget, onnx/headMask.ts masks in the graph); this task runs the
 * all-ones mask, every single head masked and every whole layer masked, and reports the drops. Forward passes
 * only: the paper's gradient-based importance estimate needs gradients onnxruntime does not give, so each head
 * is actually removed, as in the paper's ablation experiments.
 */
import { performance } from 'node:perf_hooks';
import { throwIfCancelled, type LongRunOptions } from '../../core/progress';
import { badInput } from '../../core/errors';
import { architectureLabel } from '../../shared/analysisResult';
import type { HeadImportanceResult, HeadScoreKind, HeadStream } from '../../shared/headImportance';
import type { ModelAdapter } from '../families/adapter';
import type { PreprocessedImage } from '../images/preprocess';
import type { SessionCache } from '../runtime/sessions';
import type { LayerAttention } from '../runtime/tappedGraph';

/** What a family gives for ablating the heads of one stream on one image-text pair. */
export interface HeadAblationTarget {
  stream: HeadStream;
  scoreKind: HeadScoreKind;
  layers: number;
  heads: number;
  /** The model's own score of the pair (its unmodified session). */
  score: number;
  /** The score under `mask` ([layers, heads], row-major; 1 keeps a head's output, 0 removes it). */
  scoreWith(mask: Float32Array): Promise<number>;
}

/**
 * The heads per layer of `attention` (the masked layers, one run of the model), or a badInput error when the
 * layers differ: the mask is one [layers, heads] grid.
 */
export function uniformHeads(attention: readonly LayerAttention[], layers: number, what: string): number {
  const heads = attention[0]?.heads;
  if (heads === undefined || attention.length !== layers || attention.some((layer) => layer.heads !== heads)) {
    throw badInput(`Head ablation of ${what} needs its ${layers} attention layers to have one number of heads; the model's run shows ${attention.map((a) => a.heads).join(', ') || 'none'}.`);
  }
  return heads;
}

/** The grid of ablated scores and what it cost. */
export interface HeadAblationGrid {
  allOnes: number;
  ablated: number[][];
  layerAblated: number[];
  forwardPasses: number;
  totalMs: number;
}

/** Runs every ablation of `target`: all heads kept, each head alone removed, each layer's heads all removed. */
export async function ablateHeads(target: HeadAblationTarget, options: LongRunOptions = {}): Promise<HeadAblationGrid> {
  const { layers, heads } = target;
  const total = 1 + layers * heads + layers;
  let done = 0;
  const started = performance.now();
  const run = async (zeroed: (layer: number, head: number) => boolean) => {
    throwIfCancelled(options.signal);
    const mask = new Float32Array(layers * heads);
    for (let l = 0; l < layers; l++) for (let h = 0; h < heads; h++) mask[l * heads + h] = zeroed(l, h) ? 0 : 1;
    const score = await target.scoreWith(mask);
    options.onProgress?.({ stage: 'head ablation', done: ++done, total });
    return score;
  };
  const allOnes = await run(() => false);
  const ablated: number[][] = [];
  const layerAblated: number[] = [];
  for (let l = 0; l < layers; l++) {
    const row: number[] = [];
    for (let h = 0; h < heads; h++) row.push(await run((layer, head) => layer === l && head === h));
    ablated.push(row);
    layerAblated.push(await run((layer) => layer === l));
  }
  return { allOnes, ablated, layerAblated, forwardPasses: total, totalMs: performance.now() - started };
}

/** What the result says about how a head is removed. */
const METHOD = 'head masking (Michel, Levy & Neubig 2019): the head\'s attention-weighted values are multiplied by 0 before the heads are merged and the output projection (with its bias) applied; the other heads\' probabilities are not renormalised';

/** One image-text pair's head importance grid for `stream` (the family's default when absent; `mmlens heads`). */
export async function headImportance(
  model: ModelAdapter, image: { path: string; image: PreprocessedImage }, text: string, stream: HeadStream | undefined, cache: SessionCache, options: LongRunOptions = {},
): Promise<HeadImportanceResult> {
  if (!model.headAblation) {
    throw badInput(`Head ablation is not available for ${architectureLabel(model.family)} models yet.`, 'Use a two-tower model (CLIP, SigLIP) or an image-text matcher (ViLT, BLIP).');
  }
  const target = await model.headAblation(image.image, text, stream, cache);
  const grid = await ablateHeads(target, options);
  const drop = (value: number) => target.score - value;
  return {
    schemaVersion: 1,
    model: { name: model.folder.name, architecture: model.family, executionProvider: model.executionProvider, notices: [] },
    image: image.path, text, stream: target.stream, scoreKind: target.scoreKind, method: METHOD,
    layers: target.layers, heads: target.heads, score: target.score, allOnesGap: Math.abs(grid.allOnes - target.score),
    ablated: grid.ablated, importance: grid.ablated.map((row) => row.map(drop)),
    layerAblated: grid.layerAblated, layerImportance: grid.layerAblated.map(drop),
    cost: { forwardPasses: grid.forwardPasses, totalMs: grid.totalMs, msPerPass: grid.totalMs / grid.forwardPasses },
  };
}
