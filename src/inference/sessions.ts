/**
 * ONNX Runtime sessions, created on the best provider that starts and cached per (graph, provider setting).
 * onnxruntime-node is imported on first use so that loading the extension or the CLI's help stays cheap.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { LensError } from './errors';
import { providerCandidates, webgpuUnavailableReason, type ExecutionProviderSetting } from './executionProvider';
import type { ModelSource } from './externalData';

/** The onnxruntime-node module, loaded lazily. */
export type OrtModule = typeof import('onnxruntime-node');

let ortModule: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node once; later calls share the same promise. */
export function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** A session together with the provider that actually runs it. */
export interface OpenSession {
  session: InferenceSession;
  provider: string;
}

/**
 * Caches sessions and remembers providers that failed to start, so a missing GPU costs one attempt and one
 * notice per cache, not one per model.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<OpenSession>>();
  private readonly failedProviders = new Set<string>();
  /** Sessions are created one at a time, so a provider that fails is tried once, not once per graph. */
  private creating: Promise<unknown> = Promise.resolve();
  /** Notices for the user, one per provider that could not start. */
  readonly notices: string[] = [];

  /** @param setting the user's execution provider choice */
  constructor(readonly setting: ExecutionProviderSetting) {
    const noWebgpu = providerCandidates(setting).includes('webgpu') ? webgpuUnavailableReason() : undefined;
    if (noWebgpu) this.fail('webgpu', noWebgpu);
  }

  /** The session for `key`, created from the model `load` returns (bytes or a path) when not cached. */
  get(key: string, load: () => Promise<ModelSource>): Promise<OpenSession> {
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = load().then((source) => {
        const created = this.creating.then(() => this.create(source, key));
        this.creating = created.catch(() => undefined);
        return created;
      });
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
      await open?.session.release();
    }
  }

  private fail(provider: string, reason: string): void {
    this.failedProviders.add(provider);
    this.notices.push(`The ${provider} execution provider could not start (${reason}); running on cpu instead.`);
  }

  private async create(source: ModelSource, key: string): Promise<OpenSession> {
    const ort = await loadOrt();
    const candidates = providerCandidates(this.setting).filter((p) => p === 'cpu' || !this.failedProviders.has(p));
    let lastError: unknown;
    for (const provider of candidates) {
      try {
        const options = {
          executionProviders: [provider],
          graphOptimizationLevel: 'all',
          logSeverityLevel: 3,
        } as const;
        const session = typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
        return { session, provider };
      } catch (error) {
        lastError = error;
        if (provider === 'cpu') break;
        this.fail(provider, conciseError(error));
      }
    }
    throw new LensError('badModel', `${key}: onnxruntime could not load this graph: ${conciseError(lastError)}.`, 'Check that the file is a complete ONNX model (re-export or re-download it).');
  }
}

/**
 * onnxruntime's messages start with a source location and the failed check
 * (`/onnxruntime_src/...cc:136 ... was false. Failed to get a WebGPU adapter: ...`): keep what follows.
 */
export function conciseError(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const afterCheck = line.split(/ was false\. /).pop()!;
  return afterCheck.replace(/^\S+\.(cc|h|cpp):\d+ /, '').slice(0, 300);
}
