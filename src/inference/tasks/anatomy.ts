/**
 * A model's anatomy from its graph(s) alone: which modality feeds the queries and the keys of every attention
 * layer, and from that the fusion family in the terms of Xu, Zhu & Clifton 2023 ("Multimodal Learning with
 * Transformers: A Survey"): early summation, early concatenation (single-stream), hierarchical
 * attention (unimodal streams, then a joint one), cross-attention, or separate towers that never attend
 * across the modalities (two-tower).
 */
import type { Tower } from '../../shared/analysisResult';
import { isIdsInput, isPixelInput } from '../runtime/graphInputs';
import { traceGraphFlow, type InputSum } from '../onnx/graphAnatomy';
import type { OnnxValueInfo } from '../onnx/onnxTypes';
import type { TappedGraph } from '../runtime/tappedGraph';

/** What a graph input carries. */
export type Modality = 'vision' | 'text' | 'other';

/** vision / text: one modality on both sides; joint: both sides see both; cross: the sides differ; none: no input reaches it. */
export type LayerKind = 'vision' | 'text' | 'joint' | 'cross' | 'none';

/** How the model fuses the modalities. */
export type FusionFamily = 'twoTower' | 'earlySummation' | 'singleStream' | 'hierarchical' | 'crossAttention' | 'unknown';

/** One attention layer of the anatomy. */
export interface AnatomyLayer {
  tower: Tower;
  /**
   * vision / text for a cross-attention model's self-attention layer of one stream: its sides carry both
   * modalities because the stream has read the other through cross-attention (BLIP's text encoder), but no tokens
   * were concatenated, so it attends over that stream's own tokens.
   */
  stream?: 'vision' | 'text';
  /** Index among the graph's attention layers; equals `taps[].layer` unless the graph also has fused ones. */
  layer: number;
  /** Graph inputs the queries are computed from. */
  queries: string[];
  /** Graph inputs the keys are computed from. */
  keys: string[];
  kind: LayerKind;
  /** False for a fused operator, which hides its probabilities. */
  observable: boolean;
}

/** Token counts per modality: vision tokens (CLS included), text length, and the joint sequence of one graph. */
export interface TokenCounts {
  vision?: number;
  text?: number;
  joint?: number;
}

/** The `anatomy` field of `mmlens inspect --json` (docs/cli.md). */
export interface ModelAnatomy {
  family: FusionFamily;
  /** One paragraph in the survey's terms. */
  description: string;
  inputs: { tower: Tower; name: string; modality: Modality }[];
  layers: AnatomyLayer[];
  /** Adds of a vision-only and a text-only tensor before any attention (the early-summation evidence). */
  sums: (InputSum & { tower: Tower })[];
  tokens: TokenCounts;
  /** True when every attention layer exposes its probabilities (and there is at least one). */
  observable: boolean;
  fusedOperators: string[];
}

/** The parts of a tapped graph the anatomy reads. */
export type AnatomyGraph = Pick<TappedGraph, 'graph' | 'taps' | 'fusedOperators'>;

/** The modality of a graph input, from its type and, failing that, its name. */
export function inputModality(input: OnnxValueInfo): Modality {
  if (isPixelInput(input) || /pixel|image/i.test(input.name)) return 'vision';
  if (isIdsInput(input) || /input_ids|token|mask|text/i.test(input.name)) return 'text';
  return 'other';
}

/**
 * Reads the anatomy of a model made of `graphs`; `tokens` come from the caller's probe run or config.
 * `mixedInputs` carry both modalities, merged before the graph: a generative VLM's inputs_embeds, whose image
 * tokens' rows are the vision encoder's features.
 */
export function modelAnatomy(graphs: [Tower, AnatomyGraph][], tokens: TokenCounts, mixedInputs: ReadonlySet<string> = new Set()): ModelAnatomy {
  const inputs = graphs.flatMap(([tower, g]) => g.graph.inputs.map((i) => ({ tower, name: i.name, modality: inputModality(i) })));
  const layers: AnatomyLayer[] = [];
  const sums: ModelAnatomy['sums'] = [];
  for (const [tower, g] of graphs) {
    const modality = new Map(g.graph.inputs.map((i) => [i.name, inputModality(i)]));
    const flow = traceGraphFlow(g.graph, g.taps, g.fusedOperators, (name) => modality.get(name) ?? 'other');
    const kinds = (names: string[]) => new Set(names.flatMap((n): Modality[] => (mixedInputs.has(n) ? ['vision', 'text'] : [modality.get(n) ?? 'other'])).filter((m) => m !== 'other'));
    const own = flow.sites.map(({ concatenated, ...s }) => ({ tower, ...s, concatenated, kind: layerKind(kinds(s.queries), kinds(s.keys)) }));
    const streams = new Set(own.filter((l) => l.kind === 'cross').map((l) => queryStream(kinds(l.queries), kinds(l.keys))));
    // One stream fed by one-way cross-attention, no tokens concatenated: a "joint" layer is that stream's self-attention.
    const stream = streams.size === 1 ? [...streams][0] : undefined;
    for (const { concatenated, ...layer } of own) {
      layers.push(layer.kind === 'joint' && !concatenated && stream ? { ...layer, kind: stream, stream } : layer);
    }
    sums.push(...flow.sums.map((s) => ({ tower, ...s })));
  }
  const fusedOperators = [...new Set(graphs.flatMap(([, g]) => g.fusedOperators))];
  const family = fusionFamily(layers, sums.length > 0);
  return {
    family,
    description: describe(family, layers, sums),
    inputs,
    layers,
    sums,
    tokens,
    observable: layers.length > 0 && layers.every((l) => l.observable),
    fusedOperators,
  };
}

/** The modality a cross layer's queries have and its keys lack: the stream that reads the other; undefined when none. */
function queryStream(queries: Set<Modality>, keys: Set<Modality>): 'vision' | 'text' | undefined {
  const own = [...queries].filter((m) => !keys.has(m));
  return own.length === 1 ? (own[0] as 'vision' | 'text') : undefined;
}

function layerKind(queries: Set<Modality>, keys: Set<Modality>): LayerKind {
  const all = new Set([...queries, ...keys]);
  if (all.size === 0) return 'none';
  if (all.size === 1) return [...all][0] as 'vision' | 'text';
  return queries.size === 2 && keys.size === 2 ? 'joint' : 'cross';
}

const mixing = (l: AnatomyLayer) => l.kind === 'joint' || l.kind === 'cross';
const unimodal = (l: AnatomyLayer) => l.kind === 'vision' || l.kind === 'text';

/** True when, in some graph, a unimodal layer comes before that graph's first mixing layer. */
function unimodalFirst(layers: AnatomyLayer[]): boolean {
  return layers.some((l) => unimodal(l) && layers.some((m) => m.tower === l.tower && mixing(m) && m.layer > l.layer));
}

function fusionFamily(layers: AnatomyLayer[], summed: boolean): FusionFamily {
  if (summed) return 'earlySummation';
  if (layers.some((l) => l.kind === 'cross')) return 'crossAttention';
  if (layers.some((l) => l.kind === 'joint')) return unimodalFirst(layers) ? 'hierarchical' : 'singleStream';
  const modalities = new Set(layers.filter(unimodal).map((l) => l.kind));
  return modalities.size === 2 ? 'twoTower' : 'unknown';
}

function count(layers: AnatomyLayer[], kind: LayerKind): number {
  return layers.filter((l) => l.kind === kind).length;
}

/** "1 layer", "3 layers". */
function layersOf(n: number, adjective = ''): string {
  return `${n} ${adjective}${adjective ? ' ' : ''}layer${n === 1 ? '' : 's'}`;
}

/**
 * "queries from text, keys from vision" for each distinct direction of the cross layers. A later cross layer's
 * queries carry the keys' inputs too (its stream read them in the layer before): named by what the keys lack.
 */
function directions(layers: AnatomyLayer[]): string[] {
  const side = (names: string[], tower: Tower) => names.length === 0 ? 'learned constants' : names.join(' + ') + (tower === 'joint' ? '' : ` (${tower} graph)`);
  const own = (l: AnatomyLayer) => {
    const lacking = l.queries.filter((q) => !l.keys.includes(q));
    return lacking.length > 0 ? lacking : l.queries;
  };
  return [...new Set(layers.filter((l) => l.kind === 'cross').map((l) => `queries from ${side(own(l), l.tower)}, keys from ${side(l.keys, l.tower)}`))];
}

function describe(family: FusionFamily, layers: AnatomyLayer[], sums: ModelAnatomy['sums']): string {
  const uni = `${count(layers, 'vision')} vision-only and ${count(layers, 'text')} text-only`;
  switch (family) {
    case 'twoTower':
      return `Two-tower (dual encoder): ${uni} attention layers; no layer attends across the modalities, which meet only in the similarity of the pooled embeddings.`;
    case 'earlySummation':
      return `Early summation: image and text embeddings are added (${sums.map((s) => s.node).join(', ')}) before any attention, so later layers see one summed sequence; ${layersOf(count(layers, 'joint'), 'joint')} attend over it.`;
    case 'singleStream':
      return `Single-stream (early concatenation): image and text tokens are concatenated before the first attention layer; all ${count(layers, 'joint')} layers attend jointly over both modalities.`;
    case 'hierarchical':
      return `Hierarchical attention (multi-stream to one-stream): ${uni} layers first, then ${layersOf(count(layers, 'joint'), 'joint')} over the concatenated tokens.`;
    case 'crossAttention': {
      const ways = directions(layers);
      const co = ways.length > 1 ? 'Co-attention (cross-attention both ways)' : 'Cross-attention';
      const streamed = layers.filter((l) => l.stream);
      const before = unimodalFirst(layers) ? `, after ${uni} layers (hierarchical)` : '';
      const within = streamed.length > 0
        ? `, each after a self-attention layer of the ${streamed[0].stream} stream; ${count(layers, 'vision')} vision-only and ${count(layers, 'text')} text-only layers in all, no tokens concatenated`
        : before;
      const joint = count(layers, 'joint') > 0 ? `; ${layersOf(count(layers, 'joint'), 'joint')} as well (cross-attention to concatenation)` : '';
      return `${co} in ${layersOf(count(layers, 'cross'))}: ${ways.join('; ')}${within}${joint}.`;
    }
    default:
      return layers.length === 0
        ? 'Unknown: no attention layer was found in the graph, so the fusion cannot be read from it.'
        : 'Unknown: the attention layers see only one modality.';
  }
}
