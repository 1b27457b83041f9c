/**
 * `mmlens inspect`: what a model folder holds and what can be observed in it. Taps get their shapes from
 * one probe run (a blank image, an empty text), since exported graphs rarely carry intermediate shapes.
 */
import type { Architecture, TokenLayoutInfo, Tower } from '../../shared/analysisResult';
import type { ModelAdapter } from '../families/adapter';
import type { PatchGrid } from '../images/patchGrid';
import type { PreprocessedImage } from '../images/preprocess';
import type { OnnxValueInfo } from '../onnx/onnxTypes';
import { blankInputSize } from '../model/modelFolder';
import type { LayerAttention, TappedGraph } from '../runtime/tappedGraph';
import type { ModelAnatomy } from './anatomy';

/** A graph input or output as inspect reports it. */
export interface IoInfo {
  name: string;
  type: number | undefined;
  shape: (number | string | null)[] | null;
}

/** What `mmlens inspect --json` writes (docs/cli.md). */
export interface InspectResult {
  schemaVersion: number;
  model: { name: string; dir: string; architecture: Architecture; executionProvider: string; notices: string[]; fallbacks?: string[] };
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
  /** Generative models only: the decoder, its heads and the image tokens (docs/cli.md). */
  generative?: GenerativeInspection;
}

/** What `mmlens inspect` says of a generative VLM. */
export interface GenerativeInspection {
  family: string;
  decoderLayers: number;
  queryHeads: number;
  keyValueHeads: number;
  /** Image tokens an image of the model's input size becomes, in `tiles` grids of rows x cols tokens. */
  imageTokens: { perImage: number; rows: number; cols: number; tiles: number; inputSize: { width: number; height: number } };
  /** Each of those tokens' box in the image's pixels, [x0, y0, x1, y1], in token order. */
  tokenRegions: [number, number, number, number][];
  /** Whether the decoder's attention is read by taps (inside an If's branches too), and why not when it is not. */
  attentionObserved: { available: boolean; reason?: string };
  /** The chat template's rendering of a one-image prompt, and the tokens that end an answer. */
  promptExample: string;
  endTokenIds: number[];
}

/** A graph the inspection ran, with the attention that run returned. */
export type Probed = [Tower, TappedGraph, LayerAttention[]];

/** A zero image of the size preprocessing gives (the vision config's square when that depends on the image). */
export function blankImage(model: ModelAdapter): PreprocessedImage {
  const size = blankInputSize(model.folder);
  return { pixels: new Float32Array(3 * size.height * size.width), outputSize: size, width: size.width, height: size.height, format: 'blank', notes: [] };
}

/** The parts of an inspection every family reports alike: the model, its graphs and their taps. */
export function inspectedGraphs(model: ModelAdapter, notices: string[], probed: Probed[]): Pick<InspectResult, 'schemaVersion' | 'model' | 'graphs' | 'taps'> {
  const { folder } = model;
  return {
    schemaVersion: 1,
    model: { name: folder.name, dir: folder.dir, architecture: model.family, executionProvider: model.executionProvider, notices },
    graphs: probed.map(([tower, graph]) => ({ tower, file: graph.file, inputs: graph.graph.inputs.map(io), outputs: graph.graph.outputs.map(io), fusedOperators: graph.fusedOperators })),
    taps: probed.flatMap(([tower, , attention]) => attention.map((a, layer) => ({ tower, layer, heads: a.heads, queries: a.queries, keys: a.keys }))),
  };
}

function io(value: OnnxValueInfo): IoInfo {
  return { name: value.name, type: value.elemType, shape: value.shape ? value.shape.map((d) => d ?? null) : null };
}
