/**
 * What every figure group shares: the provider setting, the scratch folder, the models, and sessions of
 * the towers, tapped (the product's TappedGraph) and untapped (the file as it is), created once per run
 * through the product's SessionCache so that provider choice and fallback are the product's own.
 */
import { readFile } from 'node:fs/promises';
import type { ExecutionProviderSetting } from '../../src/inference/runtime/executionProvider';
import { InferenceService } from '../../src/inference/service';
import { SessionCache, type OpenSession } from '../../src/inference/runtime/sessions';
import { TappedGraph } from '../../src/inference/runtime/tappedGraph';
import { benchModel, type BenchModel, type BenchModelLabel } from './benchModels';

/** A tower's session with attention taps, and the graph that reads them. */
export interface TappedSession {
  graph: TappedGraph;
  open: OpenSession;
}

/** Shared state of one benchmark run. */
export class BenchContext {
  private readonly sessions: SessionCache;
  private readonly graphs = new Map<string, Promise<TappedGraph>>();
  private readonly models = new Map<BenchModelLabel, BenchModel>();
  private inference: InferenceService | undefined;
  private readonly notes: string[] = [];
  /** The ViT-B/16 panel page the memory child wrote, once it ran. */
  panelHtml: string | undefined;
  /** Providers that actually ran a session, for the table's header. */
  readonly providersSeen = new Set<string>();

  /**
   * @param ep the provider to measure
   * @param scratch a folder for temporary files
   * @param modelsDir where the benchmark models are (generated when missing)
   */
  constructor(readonly ep: ExecutionProviderSetting, readonly scratch: string, readonly modelsDir: string) {
    this.sessions = new SessionCache(ep);
  }

  /** The benchmark model `label`, generated on first use. */
  model(label: BenchModelLabel): BenchModel {
    let model = this.models.get(label);
    if (!model) {
      log(`Generating or reusing the ${label} model in ${this.modelsDir}`);
      model = benchModel(this.modelsDir, label);
      this.models.set(label, model);
    }
    return model;
  }

  /** The provider fallback notices so far (a GPU provider that did not start), and the groups' own. */
  get notices(): string[] {
    return [...this.sessions.notices, ...this.notes];
  }

  /** Adds a notice for the table's header. */
  note(text: string): void {
    this.notes.push(text);
  }

  /** A session of the ONNX file as it is, without taps. */
  untapped(file: string): Promise<OpenSession> {
    return this.session(`${file}#untapped`, () => readFile(file));
  }

  /** A session of the model `load` returns, cached under `key`. */
  async session(key: string, load: () => Promise<Uint8Array>): Promise<OpenSession> {
    return this.seen(await this.sessions.get(key, load));
  }

  /** A session of the ONNX file with every attention probability tensor added as an output. */
  async tapped(file: string): Promise<TappedSession> {
    let graph = this.graphs.get(file);
    if (!graph) {
      graph = TappedGraph.load(file);
      this.graphs.set(file, graph);
    }
    const loaded = await graph;
    return { graph: loaded, open: this.seen(await loaded.open(this.sessions, `${file}#tapped`)) };
  }

  /** The product's inference service on the provider measured (one per run until `release`). */
  service(): InferenceService {
    this.inference ??= new InferenceService({ executionProvider: this.ep, defaultModelDir: this.model('ViT-B/32').dir });
    return this.inference;
  }

  /** Releases every session and the service (between groups, so big models do not pile up in memory). */
  async release(): Promise<void> {
    await this.inference?.dispose();
    this.inference = undefined;
    await this.sessions.release();
    this.graphs.clear();
  }

  private seen(open: OpenSession): OpenSession {
    this.providersSeen.add(open.provider);
    return open;
  }
}

/** Progress on stderr, so stdout holds only the table. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
