/**
 * One ONNX graph with its attention probabilities (and any extra tensors an adapter asks for) added as
 * outputs, and a run that returns those tensors as plain typed arrays. Adapters (two-tower, single-stream)
 * are built on this; the surgery itself is in ./onnx.
 */
import { readFile } from 'node:fs/promises';
import type { Tensor } from 'onnxruntime-node';
import { badModel, LensError } from './errors';
import { decodeGraphStructure } from './onnx/schema';
import { appendToModel } from './onnx/surgery';
import { findAttentionTaps, type AttentionTap } from './onnx/taps';
import type { NodeSpec, OnnxGraph } from './onnx/onnxTypes';
import { withExternalData } from './externalData';
import type { OpenSession, SessionCache } from './sessions';

/** Attention of one layer for a batch: [items, heads, queries, keys], row-major. */
export interface LayerAttention {
  heads: number;
  queries: number;
  keys: number;
  data: Float32Array;
}

/** Extra outputs an adapter computes by appending nodes (for example dense patch embeddings). */
export interface GraphAdditions {
  outputs: string[];
  nodes: NodeSpec[];
}

/** A graph prepared for tapping; create sessions with `open`. */
export class TappedGraph {
  private constructor(
    readonly file: string,
    readonly graph: OnnxGraph,
    readonly taps: AttentionTap[],
    readonly fusedOperators: string[],
    private readonly original: Uint8Array,
    private additions: GraphAdditions,
  ) {}

  /** Reads `file` and finds its attention taps. */
  static async load(file: string): Promise<TappedGraph> {
    const bytes = await readGraphFile(file);
    let graph: OnnxGraph;
    try {
      graph = decodeGraphStructure(bytes);
    } catch (error) {
      throw badModel(file, `is not a valid ONNX model (${(error as Error).message})`, 'Export or download the model again; the file may be truncated.');
    }
    const scan = findAttentionTaps(graph);
    return new TappedGraph(file, graph, scan.taps, scan.fusedOperators, bytes, { outputs: [], nodes: [] });
  }

  /** Adds nodes and outputs computed from the graph's own tensors; call before `open`. */
  add(additions: GraphAdditions): void {
    this.additions = { outputs: [...this.additions.outputs, ...additions.outputs], nodes: [...this.additions.nodes, ...additions.nodes] };
  }

  /** Names of the graph's own inputs (initializers excluded). */
  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  /** A session that returns the taps and additions beside the graph's own outputs. */
  open(cache: SessionCache, key: string): Promise<OpenSession> {
    const existing = new Set(this.graph.outputs.map((o) => o.name));
    const outputs = [...this.taps.map((t) => t.tensor), ...this.additions.outputs].filter((name) => !existing.has(name));
    const bytes = outputs.length === 0 ? this.original : appendToModel(this.original, { outputs, nodes: this.additions.nodes });
    return cache.get(key, () => withExternalData(this.file, this.graph, bytes));
  }

  /**
   * Runs the session and reads every tap as [batch, heads, queries, keys], whether the graph computes it
   * as [b, h, q, k] or as [b*h, q, k] (older Hugging Face CLIP exports, nn.MultiheadAttention).
   */
  async run(open: OpenSession, feeds: Record<string, Tensor>, batch: number): Promise<{ outputs: Record<string, Tensor>; attention: LayerAttention[] }> {
    const outputs = await this.fetch(open, feeds);
    const attention = this.taps.map((tap) => toLayerAttention(outputs[tap.tensor], batch, tap));
    return { outputs, attention };
  }

  /**
   * Runs the session for the named outputs only, without reading the taps: for the many forward passes of
   * the perturbation analyses, which need one embedding or score per image. All outputs when `names` is absent.
   */
  async fetch(open: OpenSession, feeds: Record<string, Tensor>, names?: string[]): Promise<Record<string, Tensor>> {
    try {
      return (await (names ? open.session.run(feeds, names) : open.session.run(feeds))) as Record<string, Tensor>;
    } catch (error) {
      throw new LensError('badModel', `${this.file}: running the model failed on ${open.provider}: ${(error as Error).message.split('\n')[0]}.`, 'Check that the inputs match what the graph expects (see `mmlens inspect`).');
    }
  }
}

function toLayerAttention(tensor: Tensor | undefined, batch: number, tap: AttentionTap): LayerAttention {
  if (!tensor) throw new LensError('internal', `Attention tap ${tap.tensor} returned no tensor.`);
  const dims = tensor.dims;
  const data = tensor.data as Float32Array;
  if (dims.length === 4 && dims[0] === batch) return { heads: dims[1], queries: dims[2], keys: dims[3], data };
  if (dims.length === 3 && dims[0] % batch === 0) return { heads: dims[0] / batch, queries: dims[1], keys: dims[2], data };
  throw new LensError('internal', `Attention tap ${tap.tensor} has shape [${dims.join(', ')}], expected [batch, heads, queries, keys] or [batch*heads, queries, keys] with batch ${batch}.`);
}

async function readGraphFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw badModel(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'Check that the file exists and is readable.');
  }
}
