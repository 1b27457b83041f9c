/**
 * One analysis of images x texts with a two-tower model: run both towers (tapped), then turn the tensors into
 * scores and maps with src/analysis. The result is the JSON contract of docs/cli.md.
 */
import { patchAlignment } from '../../../analysis/alignment';
import { toNested } from '../../../analysis/grid';
import { cosineSimilarityMatrix, sigmoidScores, softmaxRows } from '../../../analysis/similarity';
import { SCHEMA_VERSION, type AlignmentMethod, type AnalysisResult, type Matrix } from '../../../shared/analysisResult';
import type { DetailedAnalysisResult } from '../../../shared/attentionDetails';
import { attentionParts, imageInfos, requireSameSize, rolloutPatchGrid, textInfos, type PreparedRequest } from '../../tasks/analysisParts';
import { rolloutOptions, rolloutSettings, twoTowerDetails } from '../../tasks/attentionDetails';
import { flowPatchGrids } from '../../tasks/attentionFlowMaps';
import { unobservable } from '../../tasks/notices';
import { patchGridFor, type PatchGrid } from '../../images/patchGrid';
import type { LongRunOptions } from '../../../core/progress';
import type { TwoTowerModel, VisionOutput } from './twoTowerModel';
import { valuePathAvailability } from '../adapter';
import { Stopwatch } from '../../tasks/stopwatch';

/**
 * The alignment maps' patch embeddings when a request names none: the patch tokens, which win the pointing
 * game on the bundled demo model (docs/methods.md has the measurement and why).
 */
export const DEFAULT_ALIGNMENT: AlignmentMethod = 'patchTokens';

/** Runs `model` on the request and computes similarity, probabilities, rollout and alignment maps. */
export async function analyzeTwoTower(model: TwoTowerModel, request: PreparedRequest, stopwatch: Stopwatch, options: LongRunOptions = {}): Promise<DetailedAnalysisResult> {
  const { images, texts } = request;
  requireSameSize(images);
  const size = images[0].image.outputSize;
  const lens = request.lens === true && model.layerLens.available;
  const vision = await stopwatch.time('vision', () => model.encodeImages(images.map((i) => i.image), { ...options, lens }));
  const text = await stopwatch.time('text', () => model.encodeTexts(texts, options));
  const alignment = alignmentSource(model, vision, request.alignment ?? DEFAULT_ALIGNMENT);
  const config = model.folder.config;
  const grid = patchGridFor(size.height, size.width, config.vision.patchSize, vision.tokens);
  const rollout = rolloutSettings(request);
  const flow = request.flow && vision.attention.length > 0
    ? await stopwatch.time('flow', () => flowPatchGrids(vision.attention, images.map((_, i) => i), grid, rolloutOptions(rollout, options.signal, options.onProgress)))
    : undefined;
  return stopwatch.time('analysis', () => {
    const similarity = cosineSimilarityMatrix(vision.embeds, text.embeds, vision.dim);
    const probabilities = probabilitiesOf(model, similarity, images.length, texts.length);
    const bias = model.logits.bias?.value;
    const result: AnalysisResult = {
      schemaVersion: SCHEMA_VERSION,
      model: { name: model.folder.name, architecture: 'twoTower', executionProvider: model.executionProvider, notices: [...notices(model, request.lens === true), ...alignment.notices] },
      images: imageInfos(images),
      texts: textInfos(text.batch.items),
      grid: { rows: grid.rows, cols: grid.cols },
      similarity: toNested(similarity, [images.length, texts.length], 'similarity'),
      probabilities: toNested(probabilities, [images.length, texts.length], 'probabilities'),
      logitScale: model.logits.scale.value,
      attentionObservable: vision.attention.length > 0,
      maps: {
        rollout: vision.attention.length > 0 ? images.map((_, i) => rolloutPatchGrid(vision.attention, i, grid, rolloutOptions(rollout, options.signal))) : [],
        alignment: alignment.patches ? images.map((_, i) => texts.map((_, j) => alignmentGrid(alignment.patches!, vision, text.embeds, i, j, grid))) : [],
        ...(vision.pooling && { pooling: images.map((_, i) => poolingGrid(vision, i, grid)) }),
        ...(flow && { flow: flow.maps }),
      },
      timings: {},
    };
    if (alignment.method) result.alignmentMethod = alignment.method;
    if (vision.lens) result.lens = { layers: vision.lens.map((tokens) => lensLayer(model, tokens, vision, text.embeds, grid)) };
    if (bias !== undefined) result.logitBias = bias;
    Object.assign(result, attentionParts(request, { vision: { layers: vision.attention, items: images.length }, text: { layers: text.attention, items: texts.length, lengths: text.batch.items.map((item) => item.tokens.length) } }, grid));
    const details = twoTowerDetails(request, { vision: vision.attention, text: text.attention, texts: text.batch.items, images: images.length, grid });
    return Object.assign(result, details, result.attentionObservable ? { rollout } : {}, flow ? { flow: flow.details } : {});
  });
}

/** What this model does not let us observe (the layer lens among it when it was asked for). */
function notices(model: TwoTowerModel, lensAsked: boolean): string[] {
  const { denseMaps } = model.capabilities;
  const { layerLens } = model;
  return [
    ...(model.vision.taps.length === 0 ? [unobservable(model.vision.fusedOperators)] : []),
    ...(denseMaps.available ? [] : [`Patch alignment maps are unavailable: ${denseMaps.reason}.`]),
    ...(lensAsked && !layerLens.available ? [`The layer lens is unavailable: ${layerLens.reason}.`] : []),
  ];
}

/** The probabilities the model's logit scale (and, for a sigmoid model, its bias) make of images x texts cosines. */
function probabilitiesOf(model: TwoTowerModel, similarity: Float32Array, images: number, texts: number): Float32Array {
  const scale = model.logits.scale.value;
  const bias = model.logits.bias?.value;
  return bias === undefined ? softmaxRows(similarity, images, texts, scale) : sigmoidScores(similarity, scale, bias);
}

/**
 * One layer's lens: its CLS token's cosine with every text and the probabilities the model's own scale (and bias)
 * make of them, and its patch tokens' alignment maps. `tokens` is that layer's items x tokens x dim.
 */
function lensLayer(model: TwoTowerModel, tokens: Float32Array, vision: VisionOutput, textEmbeds: Float32Array, grid: PatchGrid): { similarity: Matrix; probabilities: Matrix; alignment: Matrix[][] } {
  const { dim } = vision;
  const images = tokens.length / (vision.tokens * dim);
  const texts = textEmbeds.length / dim;
  // The head reads hidden[:, 0, :] (its CLS selection, ../../onnx/clsSelection), so the CLS token is token 0.
  const cls = 0;
  const embeds = new Float32Array(images * dim);
  for (let i = 0; i < images; i++) embeds.set(tokens.subarray((i * vision.tokens + cls) * dim, (i * vision.tokens + cls + 1) * dim), i * dim);
  const similarity = cosineSimilarityMatrix(embeds, textEmbeds, dim);
  return {
    similarity: toNested(similarity, [images, texts], 'lens similarity'),
    probabilities: toNested(probabilitiesOf(model, similarity, images, texts), [images, texts], 'lens probabilities'),
    alignment: Array.from({ length: images }, (_, i) => Array.from({ length: texts }, (_, j) => alignmentGrid(tokens, vision, textEmbeds, i, j, grid))),
  };
}

/**
 * The patch embeddings of the requested method; the patch tokens, with a notice, when a value path (MaskCLIP,
 * values or ClearCLIP) was asked for and the graph does not allow it.
 */
function alignmentSource(model: TwoTowerModel, vision: VisionOutput, requested: AlignmentMethod): { patches?: Float32Array; method?: AlignmentMethod; notices: string[] } {
  if (requested !== 'patchTokens' && vision[requested]) return { patches: vision[requested], method: requested, notices: [] };
  const availability = requested === 'patchTokens' ? undefined : valuePathAvailability(model.capabilities, requested);
  const name = { patchTokens: '', maskclip: 'MaskCLIP', values: 'Value-path', clearclip: 'ClearCLIP' }[requested];
  const notices = availability && vision.dense && !availability.available ? [`${name} alignment maps are unavailable (${availability.reason}); the maps use the last layer's patch tokens.`] : [];
  return vision.dense ? { patches: vision.dense, method: 'patchTokens', notices } : { notices };
}

/** The attention-pooling head's probe attention over the patches of image `item`, the mean of its heads. */
function poolingGrid(vision: VisionOutput, item: number, grid: PatchGrid): Matrix {
  const { heads, data } = vision.pooling!;
  const patches = grid.rows * grid.cols;
  const mean = new Float32Array(patches);
  for (let h = 0; h < heads; h++) {
    const start = (item * heads + h) * vision.tokens + grid.firstPatch;
    for (let p = 0; p < patches; p++) mean[p] += data[start + p] / heads;
  }
  return toNested(mean, [grid.rows, grid.cols], 'pooling');
}

function alignmentGrid(dense: Float32Array, vision: VisionOutput, textEmbeds: Float32Array, image: number, text: number, grid: PatchGrid): Matrix {
  const { dim, tokens } = vision;
  const start = (image * tokens + grid.firstPatch) * dim;
  const patches = dense.subarray(start, start + grid.rows * grid.cols * dim);
  const map = patchAlignment(patches, textEmbeds.subarray(text * dim, (text + 1) * dim), dim);
  return toNested(map, [grid.rows, grid.cols], 'alignment');
}
