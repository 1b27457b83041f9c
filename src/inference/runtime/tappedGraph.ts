/**
 * One ONNX graph with its attention probabilities (and any extra tensors an adapter asks for) added as
 * outputs, and a run that returns those tensors as plain typed arrays. Adapters (two-tower, single-stream)
 * are built on this; the surgery itself is in ./onnx.
 */
import { dirname, join } from 'node:path';
import type { Tensor } from 'onnxruntime-node';
import { badModel, LensError } from '../../core/errors';
import { decodeGraphStructure } from '../onnx/schema';
import { appendToModel } from '../onnx/surgery';
import { findAttentionTaps, tapsReachedFrom, type AttentionTap } from '../onnx/taps';
import { findBranchTaps, type BranchTapPlan } from '../onnx/branchTaps';
import { DataType, intAttr, tensorAttr, type NodeSpec, type OnnxGraph, type OnnxValueInfo } from '../onnx/onnxTypes';
import { FreshNames } from '../onnx/graphWalk';
import { copyWithBranchOutputs } from './branchOutputs';
import { tappedCopy } from './externalData';
import { readModelStructure } from './onnxStructureFile';
import type { OpenSession, SessionCache } from './sessions';

/** Attention of one layer for a batch: [items, heads, queries, keys], row-major. */
export interface LayerAttention {
  heads: number;
  queries: number;
  keys: number;
  data: Float32Array;
}

/** Extra outputs an adapter computes by appending nodes (for example dense patch embeddings), and inputs they read (a head mask). */
export interface GraphAdditions {
  outputs: string[];
  nodes: NodeSpec[];
  inputs?: OnnxValueInfo[];
}

/**
 * A graph prepared for tapping; create sessions with `open`. JavaScript never holds the model's weights: the
 * structure is read without them (onnxStructureFile.ts), and onnxruntime reads the tapped model from a copy
 * on disk (externalData.ts), or nothing at all when the disk cache has the session's optimized model.
 */
export class TappedGraph {
  private constructor(
    readonly file: string,
    readonly graph: OnnxGraph,
    readonly taps: AttentionTap[],
    /** Attention-pooling heads (learned queries over the tokens), read beside the layers but not among them. */
    readonly poolingTaps: AttentionTap[],
    readonly fusedOperators: string[],
    /** What the session adds to the graph, shared by the graph and its tower views (one session for all). */
    private readonly session: SessionPlan,
    /** Why attention inside an If node's branches is not read, when it is not (onnx/branchTaps.ts). */
    readonly unobservedBranches?: string,
  ) {}

  /**
   * Reads the structure of `file` and finds its attention taps: the graph's own, then those inside If nodes'
   * branches (a merged decoder's), which the session reads through new outputs of the If.
   */
  static async load(file: string): Promise<TappedGraph> {
    const graph = await readGraph(file);
    const scan = findAttentionTaps(graph);
    const branches = branchTapsOf(file, graph, scan.taps.length);
    const taps = [...scan.taps, ...branches.taps];
    const session = { taps: [...taps, ...scan.pooling], additions: { outputs: [], nodes: [] }, branchPlans: branches.plans };
    const fused = [...new Set([...scan.fusedOperators, ...branches.fusedOperators])];
    return new TappedGraph(file, graph, taps, scan.pooling, fused, session, branches.unobserved);
  }

  /**
   * One tower of a one-graph export (Optimum's model.onnx: both towers, both inputs): the same graph and session,
   * with the taps `input` reaches, renumbered from 0. The session still computes every tap; `run` reads these.
   */
  towerView(input: string): TappedGraph {
    const own = (taps: AttentionTap[]) => tapsReachedFrom(this.graph, taps, input).map((tap, layer) => ({ ...tap, layer }));
    return new TappedGraph(this.file, this.graph, own(this.taps), own(this.poolingTaps), this.fusedOperators, this.session, this.unobservedBranches);
  }

  /** The If nodes whose branches' attention the session reads (onnx/branchTaps.ts). */
  get branchPlans(): readonly BranchTapPlan[] {
    return this.session.branchPlans;
  }

  /** Adds nodes and outputs computed from the graph's own tensors; call before `open`. */
  add(additions: GraphAdditions): void {
    const { outputs, nodes, inputs = [] } = this.session.additions;
    this.session.additions = { outputs: [...outputs, ...additions.outputs], nodes: [...nodes, ...additions.nodes], inputs: [...inputs, ...additions.inputs ?? []] };
    this.session.extra = undefined;
  }

  /**
   * Makes the session return only the last query row of every tap, [b, h, 1, keys] (or [b*h, 1, keys]): a
   * decoder's next token comes from its last position, and a prefill's full attention is queries times larger.
   * `run` then reads each layer with `queries` 1. Call before `open`.
   */
  keepLastQuery(): void {
    this.session.lastQuery = true;
    this.session.extra = undefined;
  }

  /**
   * The outputs added to the graph, each as [the tensor asked for, the name the session returns it under], and
   * the nodes that compute them. Outputs are read as float32: in a float16 graph each goes through a Cast,
   * and `fetch` hands the cast back under the tensor's own name. Worked out once (every fetch asks).
   */
  private extraOutputs(): ExtraOutputs {
    this.session.extra ??= this.planExtraOutputs();
    return this.session.extra;
  }

  private planExtraOutputs(): ExtraOutputs {
    const existing = new Set(this.graph.outputs.map((o) => o.name));
    const { taps, additions, lastQuery } = this.session;
    const names = new FreshNames(this.graph, additions.nodes);
    const nodes = [...additions.nodes];
    // [the tensor asked for, the tensor computed for it]: a tap's last query row, with keepLastQuery.
    const lastRow = (tensor: string) => {
      const [index, row] = [names.fresh(`${tensor}_last_index`), names.fresh(`${tensor}_last`)];
      nodes.push(
        { opType: 'Constant', name: names.fresh(`${index}_node`), inputs: [], outputs: [index], attributes: [tensorAttr('value', { name: '', dims: [1], dataType: DataType.INT64, int64Data: [-1] })] },
        { opType: 'Gather', name: names.fresh(`${row}_node`), inputs: [tensor, index], outputs: [row], attributes: [intAttr('axis', -2)] },
      );
      return row;
    };
    const wanted = taps.map((t): [string, string] => [t.tensor, lastQuery ? lastRow(t.tensor) : t.tensor])
      .concat(additions.outputs.map((name) => [name, name]))
      .filter(([name, source]) => source !== name || !existing.has(name));
    if (!computesInHalf(this.graph)) return { outputs: wanted, nodes };
    const outputs = wanted.map(([name, source]): [string, string] => [name, names.fresh(`${source}_float`)]);
    const casts = outputs.map(([, read], i) => ({ opType: 'Cast', name: names.fresh(`${read}_cast`), inputs: [wanted[i][1]], outputs: [read], attributes: [intAttr('to', DataType.FLOAT)] }));
    return { outputs, nodes: [...nodes, ...casts] };
  }

  /** Names of the graph's own inputs (initializers excluded). */
  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  /** A session that returns the taps and additions beside the graph's own outputs. */
  open(cache: SessionCache, key: string): Promise<OpenSession> {
    const { outputs, nodes } = this.extraOutputs();
    const additions = { outputs: outputs.map(([, read]) => read), nodes, ...(this.session.additions.inputs?.length && { inputs: this.session.additions.inputs }) };
    const plans = this.session.branchPlans;
    const elemType = computesInHalf(this.graph) ? DataType.FLOAT16 : DataType.FLOAT;
    const rewrite = plans.length > 0 ? (from: string, to: string) => copyWithBranchOutputs(from, to, plans, elemType) : undefined;
    const load = async () => (outputs.length === 0 ? this.file : tappedCopy(this.file, this.graph, appendToModel(new Uint8Array(0), additions), cache.scratchDir, rewrite));
    const dataFiles = this.graph.externalDataFiles.map((location) => join(dirname(this.file), location));
    const changes = JSON.stringify(plans.length > 0 ? { additions, branches: plans } : additions);
    return cache.get(key, load, { file: this.file, dataFiles, additions: changes });
  }

  /**
   * Runs the session and reads every tap as [batch, heads, queries, keys], whether the graph computes it
   * as [b, h, q, k] or as [b*h, q, k] (older Hugging Face CLIP exports, nn.MultiheadAttention). Outputs named in
   * `without` are not computed (added outputs only some analyses ask for).
   */
  async run(open: OpenSession, feeds: Record<string, Tensor>, batch: number, without?: ReadonlySet<string>): Promise<{ outputs: Record<string, Tensor>; attention: LayerAttention[]; pooling: LayerAttention[] }> {
    const all = without && [...this.graph.outputs.map((o) => o.name), ...this.extraOutputs().outputs.map(([name]) => name)];
    const outputs = await this.fetch(open, feeds, all && [...new Set(all)].filter((name) => !without.has(name)));
    const read = (taps: AttentionTap[]) => taps.map((tap) => toLayerAttention(outputs[tap.tensor], batch, tap));
    return { outputs, attention: read(this.taps), pooling: read(this.poolingTaps) };
  }

  /**
   * Runs the session for the named outputs only, without reading the taps: for the many forward passes of
   * the perturbation analyses, which need one embedding or score per image. All outputs when `names` is absent.
   */
  async fetch(open: OpenSession, feeds: Record<string, Tensor>, names?: string[]): Promise<Record<string, Tensor>> {
    const readAs = new Map(this.extraOutputs().outputs);
    try {
      const outputs = (await open.run(feeds, names?.map((name) => readAs.get(name) ?? name))) as Record<string, Tensor>;
      for (const [name, read] of readAs) if (read !== name && outputs[read]) outputs[name] = outputs[read];
      return outputs;
    } catch (error) {
      throw new LensError('badModel', `${this.file}: running the model failed on ${open.provider}: ${(error as Error).message.split('\n')[0]}.`, 'Check that the inputs match what the graph expects (see `mmlens inspect`).');
    }
  }
}

/** What a session adds to its graph: the taps it reads, nodes and outputs, and the If nodes it rewrites. */
interface SessionPlan {
  taps: AttentionTap[];
  additions: GraphAdditions;
  branchPlans: BranchTapPlan[];
  /** Read only the last query row of each tap (keepLastQuery). */
  lastQuery?: boolean;
  extra?: ExtraOutputs;
}

/** The outputs a session adds, as [tensor asked for, name the session returns it under], and the nodes computing them. */
interface ExtraOutputs {
  outputs: [string, string][];
  nodes: NodeSpec[];
}

/**
 * True when the graph computes in float16: transformers.js's `_fp16` files have float16 weights and keep float32
 * inputs and outputs (Casts at the edges), so the attention inside is float16.
 */
export function computesInHalf(graph: OnnxGraph): boolean {
  return graph.initializers.some((init) => init.dataType === DataType.FLOAT16);
}

/** The taps inside the graph's If branches; a branch whose bytes do not decode makes the file an invalid model. */
function branchTapsOf(file: string, graph: OnnxGraph, firstLayer: number): ReturnType<typeof findBranchTaps> {
  try {
    return findBranchTaps(graph, firstLayer);
  } catch (error) {
    throw invalidModel(file, error);
  }
}

/** The structure of the ONNX model in `file` (no weights), or a badModel error saying why it cannot be read. */
export async function readGraph(file: string): Promise<OnnxGraph> {
  const bytes = await readModelStructure(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code) throw badModel(file, `cannot be read (${error.code})`, 'Check that the file exists and is readable.');
    throw invalidModel(file, error);
  });
  try {
    return decodeGraphStructure(bytes);
  } catch (error) {
    throw invalidModel(file, error);
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

function invalidModel(file: string, error: unknown): LensError {
  return badModel(file, `is not a valid ONNX model (${(error as Error).message})`, 'Export or download the model again; the file may be truncated.');
}
