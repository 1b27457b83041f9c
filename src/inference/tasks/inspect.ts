/**
 * `mmlens inspect`: what a model folder holds and what can be observed in it. Taps get their shapes from
 * one probe run (a blank image, an empty text), since exported graphs rarely carry intermediate shapes.
 */
import type { Architecture, TokenLayoutInfo, Tower } from '../../shared/analysisResult';
import { modelAnatomy, type ModelAnatomy } from './anatomy';
import { fixedDim, isIdsInput } from '../runtime/graphInputs';
import type { OnnxValueInfo } from '../onnx/onnxTypes';
import { patchGridFor, type PatchGrid } from '../images/patchGrid';
import type { PreprocessedImage } from '../images/preprocess';
import type { SingleStreamModel } from '../families/singleStream/singleStreamModel';
import type { LayerAttention, TappedGraph } from '../runtime/tappedGraph';
import type { TwoTowerModel } from '../families/twoTower/twoTowerModel';
import { unobservable } from './notices';

/** A graph input or output as inspect reports it. */
export interface IoInfo {
  name: string;
  type: number | undefined;
  shape: (number | string | null)[] | null;
}

/** What `mmlens inspect --json` writes (docs/cli.md). */
export interface InspectResult {
  schemaVersion: number;
  model: { name: string; dir: string; architecture: Architecture; executionProvider: string; notices: string[] };
  graphs: { tower: Tower; file: string; inputs: IoInfo[]; outputs: IoInfo[]; fusedOperators: string[] }[];
  taps: { tower: Tower; layer: number; heads: number; queries: number; keys: number }[];
  /** The patch grid; for single-stream models its indices are positions in the joint sequence. */
  grid: PatchGrid;
  /** Single-stream models only: where the text and image tokens sit in the joint sequence. */
  tokenLayout?: TokenLayoutInfo;
  denseProjection: { available: boolean; reason?: string };
  architectureGuess: string;
  /** Which inputs feed which attention layers, and the fusion family that follows (docs/cli.md). */
  anatomy: ModelAnatomy;
}

type Probed = [Tower, TappedGraph, LayerAttention[]];

/** Inspects a loaded two-tower model, running it once on a blank image and an empty text. */
export async function inspectTwoTower(model: TwoTowerModel, notices: string[]): Promise<InspectResult> {
  const { folder } = model;
  const blank = blankImage(model);
  const vision = await model.encodeImages([blank]);
  const text = await model.encodeTexts(['']);
  const towers: Probed[] = [['vision', model.vision, vision.attention], ['text', model.text, text.attention]];
  const observable = towers.every(([, graph]) => graph.taps.length > 0);
  const ids = model.text.graph.inputs.find((i) => i.name === 'input_ids') ?? model.text.graph.inputs.find(isIdsInput);
  const textLength = (ids && fixedDim(ids, 1)) ?? model.tokenizer.maxLength;
  return {
    ...common(model, 'twoTower', notices, towers),
    grid: patchGridFor(blank.height, blank.width, folder.config.vision.patchSize, vision.tokens),
    denseProjection: model.denseUnavailable ? { available: false, reason: model.denseUnavailable } : { available: true },
    architectureGuess: [
      `Two-tower (dual encoder): ${model.vision.taps.length} vision and ${model.text.taps.length} text attention layers; the modalities meet only in the similarity of the pooled embeddings.`,
      observable ? 'Attention is observable in every layer.' : unobservable([...model.vision.fusedOperators, ...model.text.fusedOperators]),
    ].join(' '),
    anatomy: modelAnatomy([['vision', model.vision], ['text', model.text]], { vision: vision.tokens, text: textLength }),
  };
}

/** Inspects a loaded single-stream model, running it once on a blank image with an empty text. */
export async function inspectSingleStream(model: SingleStreamModel, notices: string[]): Promise<InspectResult> {
  const scores = await model.scorePairs([blankImage(model)], ['']);
  const layout = model.layoutInfo;
  const { rows, cols } = model.layout;
  const text = layout.textEnd - layout.textStart;
  return {
    ...common(model, 'singleStream', notices, [['joint', model.joint, scores.attention]]),
    grid: { rows, cols, ...(layout.imageCls !== null && { clsIndex: layout.imageCls }), firstPatch: layout.firstPatch },
    tokenLayout: layout,
    denseProjection: { available: false, reason: 'a single-stream model has no joint embedding space; its per-text maps come from attention rollout' },
    architectureGuess: [
      `Single-stream (early concatenation): ${model.joint.taps.length} joint attention layers over ${layout.tokens} tokens (${text} text, ${layout.imageTokens} image); the modalities attend to each other in every layer, and an image-text matching head reads token ${layout.itmToken}.`,
      model.joint.taps.length > 0 ? 'Attention is observable in every layer.' : unobservable(model.joint.fusedOperators),
    ].join(' '),
    anatomy: modelAnatomy([['joint', model.joint]], { vision: layout.imageTokens, text, joint: layout.tokens }),
  };
}

/** A zero image of the preprocessor's crop size. */
function blankImage(model: TwoTowerModel | SingleStreamModel): PreprocessedImage {
  const crop = model.folder.preprocessor.cropSize;
  return { pixels: new Float32Array(3 * crop.height * crop.width), outputSize: crop, width: crop.width, height: crop.height, format: 'blank', notes: [] };
}

function common(model: TwoTowerModel | SingleStreamModel, architecture: Architecture, notices: string[], probed: Probed[]): Pick<InspectResult, 'schemaVersion' | 'model' | 'graphs' | 'taps'> {
  const { folder } = model;
  return {
    schemaVersion: 1,
    model: { name: folder.name, dir: folder.dir, architecture, executionProvider: model.executionProvider, notices },
    graphs: probed.map(([tower, graph]) => ({ tower, file: graph.file, inputs: graph.graph.inputs.map(io), outputs: graph.graph.outputs.map(io), fusedOperators: graph.fusedOperators })),
    taps: probed.flatMap(([tower, , attention]) => attention.map((a, layer) => ({ tower, layer, heads: a.heads, queries: a.queries, keys: a.keys }))),
  };
}

function io(value: OnnxValueInfo): IoInfo {
  return { name: value.name, type: value.elemType, shape: value.shape ? value.shape.map((d) => d ?? null) : null };
}
