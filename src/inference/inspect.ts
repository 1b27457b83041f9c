/**
 * `mmlens inspect`: what a model folder holds and what can be observed in it. Taps get their shapes from
 * one probe run (a blank image, an empty text), since exported graphs rarely carry intermediate shapes.
 */
import type { Architecture, Tower } from '../shared/analysisResult';
import type { OnnxValueInfo } from './onnx/onnxTypes';
import { patchGridFor, type PatchGrid } from './patchGrid';
import type { LayerAttention, TappedGraph } from './tappedGraph';
import type { TwoTowerModel } from './twoTowerModel';
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
  grid: PatchGrid;
  denseProjection: { available: boolean; reason?: string };
  architectureGuess: string;
}

/** Inspects a loaded two-tower model, running it once on a blank image and an empty text. */
export async function inspectTwoTower(model: TwoTowerModel, notices: string[]): Promise<InspectResult> {
  const { folder } = model;
  const crop = folder.preprocessor.cropSize;
  const blank = { pixels: new Float32Array(3 * crop.height * crop.width), outputSize: crop, width: crop.width, height: crop.height, format: 'blank', notes: [] };
  const vision = await model.encodeImages([blank]);
  const text = await model.encodeTexts(['']);
  const towers: [Tower, TappedGraph, LayerAttention[]][] = [['vision', model.vision, vision.attention], ['text', model.text, text.attention]];
  const observable = towers.every(([, graph]) => graph.taps.length > 0);
  return {
    schemaVersion: 1,
    model: { name: folder.name, dir: folder.dir, architecture: 'twoTower', executionProvider: model.executionProvider, notices },
    graphs: towers.map(([tower, graph]) => ({ tower, file: graph.file, inputs: graph.graph.inputs.map(io), outputs: graph.graph.outputs.map(io), fusedOperators: graph.fusedOperators })),
    taps: towers.flatMap(([tower, , attention]) => attention.map((a, layer) => ({ tower, layer, heads: a.heads, queries: a.queries, keys: a.keys }))),
    grid: patchGridFor(crop.height, crop.width, folder.config.vision.patchSize, vision.tokens),
    denseProjection: model.denseUnavailable ? { available: false, reason: model.denseUnavailable } : { available: true },
    architectureGuess: [
      `Two-tower (dual encoder): ${model.vision.taps.length} vision and ${model.text.taps.length} text attention layers; the modalities meet only in the similarity of the pooled embeddings.`,
      observable ? 'Attention is observable in every layer.' : unobservable([...model.vision.fusedOperators, ...model.text.fusedOperators]),
    ].join(' '),
  };
}

function io(value: OnnxValueInfo): IoInfo {
  return { name: value.name, type: value.elemType, shape: value.shape ? value.shape.map((d) => d ?? null) : null };
}
