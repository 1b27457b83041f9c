/**
 * ONNX Runtime sessions, created on the best provider that starts and cached per (graph, provider setting).
 * onnxruntime-node is imported on first use so that loading the extension or the CLI's help stays cheap.
 * With a cache folder, optimized models are kept on disk (optimizedModelCache.ts): a model's second session,
 * in any later process, loads in a fraction of the time and maps its weights instead of copying them.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { LensError } from '../../core/errors';
import { requireShortCommandLine } from './commandLine';
import { providerCandidates, webgpuUnavailableReason, type ExecutionProviderSetting } from './executionProvider';
import { tmpdir } from 'node:os';
import { sep } from 'node:path';
import type { ModelSource, PreparedModel } from './externalData';
import { conciseError, ManagedSession, type BuiltSession, type OpenSession } from './managedSession';
import { OptimizedModelCache, type ModelIdentity } from './optimizedModelCache';

export { conciseError, type OpenSession } from './managedSession';

/** The onnxruntime-node module, loaded lazily. */
export type OrtModule = typeof import('onnxruntime-node');

let ortModule: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node once; later calls share the same promise. */
export function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** Creates one onnxruntime session; the default is onnxruntime's own, tests pass one that fails on purpose. */
export type SessionFactory = (source: ModelSource, options: InferenceSession.SessionOptions) => Promise<InferenceSession>;

/** Options of a SessionCache. */
export interface SessionCacheOptions {
  /** A folder for optimized models (the extension's global storage); without one every session is created cold. */
  cacheDir?: string;
  createSession?: SessionFactory;
}

/** Loads a model for a session: bytes, a path, or a temporary file deleted once the session exists. */
export type ModelLoader = () => Promise<ModelSource | PreparedModel>;

/** How to make a session: the model (loaded only when needed) and, for the disk cache, what it is. */
interface Recipe {
  key: string;
  load: ModelLoader;
  identity?: ModelIdentity;
}

/**
 * Caches sessions and remembers providers that failed to start, so a missing GPU costs one attempt and one
 * notice per cache, not one per model. A session that fails while running is handled by ManagedSession.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ManagedSession>>();
  private readonly failedProviders = new Set<string>();
  private readonly disk: OptimizedModelCache | undefined;
  /** Set once the cache folder failed: sessions are then created without it. */
  private diskFailed = false;
  /** Sessions are created one at a time, so a provider that fails is tried once, not once per graph. */
  private creating: Promise<unknown> = Promise.resolve();
  /** Notices for the user, one per provider that could not start or failed while running. */
  readonly notices: string[] = [];
  /**
   * Providers the `auto` setting tried and could not start (no GPU, no driver): expected, so not a notice, but said
   * quietly (the log, the status bar's tooltip). A provider the user chose by name that fails is a notice.
   */
  readonly fallbacks: string[] = [];

  /**
   * @param setting the user's execution provider choice
   * @param options the optimized-model cache folder, and the session factory
   */
  constructor(readonly setting: ExecutionProviderSetting, private readonly options: SessionCacheOptions = {}) {
    const noWebgpu = providerCandidates(setting).includes('webgpu') ? webgpuUnavailableReason() : undefined;
    if (noWebgpu) this.fail('webgpu', noWebgpu);
    this.disk = options.cacheDir ? new OptimizedModelCache(options.cacheDir) : undefined;
  }

  /** Where temporary model files go: the cache folder (same disk as the entries written from them), else the system's. */
  get scratchDir(): string {
    return this.options.cacheDir && !this.diskFailed ? this.options.cacheDir : tmpdir();
  }

  /**
   * The session for `key`, created from the model `load` returns (bytes or a path) when not cached. With
   * `identity` (the model file and what was added to it) the optimized model is cached on disk, and `load`
   * is not even called when the cache has it.
   */
  get(key: string, load: ModelLoader, identity?: ModelIdentity): Promise<OpenSession> {
    let entry = this.sessions.get(key);
    if (!entry) {
      const recipe = { key, load, identity };
      entry = this.build(recipe).then((built) => new ManagedSession(built, {
        rebuild: () => this.build(recipe, true),
        notice: (text) => this.notices.push(text),
      }));
      entry.catch(() => this.sessions.delete(key));
      this.sessions.set(key, entry);
    }
    return entry;
  }

  /** Releases one cached session, or all of them. */
  async release(key?: string): Promise<void> {
    const keys = key === undefined ? [...this.sessions.keys()] : [key];
    for (const k of keys) {
      const entry = this.sessions.get(k);
      this.sessions.delete(k);
      const open = await entry?.catch(() => undefined);
      await open?.release();
    }
  }

  /**
   * Whether `error` is the cache folder failing (unwritable, full, not a folder): then the cache is off for this
   * instance, with one notice, and analyses go on without it. An error about another file (the model) is not.
   */
  private cacheFailure(error: unknown): boolean {
    const { path } = error as NodeJS.ErrnoException;
    const dir = this.options.cacheDir;
    if (!dir || typeof path !== 'string' || !(path === dir || path.startsWith(dir + sep))) return false;
    if (!this.diskFailed) {
      this.diskFailed = true;
      this.notices.push(`The cache at ${dir} could not be written (${conciseError(error)}); analyses go on without it, loading and optimizing each model again. Free space on that disk or make the folder writable, or point the cache elsewhere (MMLENS_CACHE_DIR for the CLI; an empty value turns it off); the multimodalLens.cache settings limit its size.`);
    }
    return true;
  }

  private fail(provider: string, reason: string): void {
    this.failedProviders.add(provider);
    (this.setting === 'auto' ? this.fallbacks : this.notices).push(`The ${provider} execution provider could not start (${reason}); running on cpu instead.`);
  }

  /** One creation at a time, on the first provider that starts (cpu only after a run-time failure). */
  private build(recipe: Recipe, cpuOnly = false): Promise<BuiltSession> {
    const created = this.creating.then(() => this.create(recipe, cpuOnly));
    this.creating = created.catch(() => undefined);
    return created;
  }

  private async create(recipe: Recipe, cpuOnly: boolean): Promise<BuiltSession> {
    requireShortCommandLine();
    const ort = await loadOrt();
    const candidates = cpuOnly ? ['cpu'] : providerCandidates(this.setting).filter((p) => p === 'cpu' || !this.failedProviders.has(p));
    // The model is loaded at most once per creation, and only when no cached optimized model serves.
    let loaded: Promise<PreparedModel> | undefined;
    const source = async () => (await (loaded ??= recipe.load().then(prepared))).source;
    let lastError: unknown;
    try {
      for (const provider of candidates) {
        try {
          return { session: await this.createOn(ort, provider, recipe, source), provider };
        } catch (error) {
          lastError = error;
          if (provider === 'cpu') break;
          this.fail(provider, conciseError(error));
        }
      }
    } finally {
      await loaded?.then((model) => model.dispose(), () => undefined);
    }
    throw new LensError('badModel', `${recipe.key}: onnxruntime could not load this graph: ${conciseError(lastError)}.`, 'Check that the file is a complete ONNX model (re-export or re-download it).');
  }

  /** A session on `provider`: from the disk cache when it has an intact entry, else optimized now (and cached). */
  private async createOn(ort: OrtModule, provider: string, recipe: Recipe, source: () => Promise<ModelSource>): Promise<InferenceSession> {
    const make = this.options.createSession ?? ((from, options) => (typeof from === 'string' ? ort.InferenceSession.create(from, options) : ort.InferenceSession.create(from, options)));
    const base = { executionProviders: [provider], logSeverityLevel: 3 } as const;
    const uncached = async () => make(await source(), { ...base, graphOptimizationLevel: 'all' });
    if (!this.disk || !recipe.identity || this.diskFailed) return uncached();
    let key: string;
    let cached: string | undefined;
    try {
      key = await this.disk.key(recipe.identity, provider, ort.env.versions.node ?? 'unknown');
      cached = await this.disk.lookup(key);
    } catch (error) {
      if (!this.cacheFailure(error)) throw error;
      return uncached();
    }
    if (cached) {
      try {
        return await make(cached, { ...base, graphOptimizationLevel: 'disabled' });
      } catch {
        await this.disk.discard(key); // e.g. written on another CPU: rebuilt below
      }
    }
    const writer = await this.disk.writer(key).catch((error: unknown) => {
      if (!this.cacheFailure(error)) throw error;
      return undefined;
    });
    if (!writer) return uncached();
    let session: InferenceSession;
    try {
      session = await make(await source(), { ...base, graphOptimizationLevel: 'all', optimizedModelFilePath: writer.modelPath, extra: { session: writer.configEntries } });
    } catch (error) {
      await writer.abandon();
      throw error;
    }
    await writer.commit().catch(() => undefined); // a full disk or a lost race costs the cache entry, not the session
    return session;
  }
}

function prepared(model: ModelSource | PreparedModel): PreparedModel {
  return typeof model === 'string' || model instanceof Uint8Array ? { source: model, dispose: async () => undefined } : model;
}
