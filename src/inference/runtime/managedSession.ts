/**
 * A session that survives failures while running (issue 7, item 5): a GPU provider that fails at run time is
 * replaced by a cpu session of the same model, once, with a notice, and the run is retried there; a cpu
 * session that throws is rebuilt before the next request, so one bad state does not stick.
 */
import type { InferenceSession } from 'onnxruntime-node';

/** A session as onnxruntime created it, with the provider that runs it. */
export interface BuiltSession {
  session: InferenceSession;
  provider: string;
}

/** A session together with the provider that actually runs it; `run` recovers from failures. */
export interface OpenSession {
  /** The onnxruntime session serving runs now (replaced when the session is rebuilt). */
  readonly session: InferenceSession;
  readonly provider: string;
  /** Runs the session (all outputs when `names` is absent), recovering as described above. */
  run(feeds: InferenceSession.FeedsType, names?: string[]): Promise<InferenceSession.ReturnType>;
}

/** What a ManagedSession needs from its cache. */
export interface SessionHost {
  /** Creates the same model's session again, on cpu. */
  rebuild(): Promise<BuiltSession>;
  notice(text: string): void;
}

/** The OpenSession of SessionCache. */
export class ManagedSession implements OpenSession {
  /** Set when the session threw on cpu: the next run rebuilds it first. */
  private broken = false;
  private replacing: Promise<void> | undefined;

  /**
   * @param current the session as first created
   * @param host rebuilds sessions and collects notices
   */
  constructor(private current: BuiltSession, private readonly host: SessionHost) {}

  /** The onnxruntime session serving runs now. */
  get session(): InferenceSession {
    return this.current.session;
  }

  /** The provider running it now. */
  get provider(): string {
    return this.current.provider;
  }

  /** Runs the session; see the file comment for what happens when it fails. */
  async run(feeds: InferenceSession.FeedsType, names?: string[]): Promise<InferenceSession.ReturnType> {
    if (this.broken) await this.replace();
    const used = this.current;
    const attempt = (on: BuiltSession) => (names ? on.session.run(feeds, names) : on.session.run(feeds));
    try {
      return await attempt(used);
    } catch (error) {
      if (used.provider === 'cpu') {
        if (this.current === used) this.broken = true;
        throw error;
      }
      // Runs in flight when the GPU failed share one notice and one replacement.
      if (this.current === used && !this.replacing) {
        this.host.notice(`The ${used.provider} execution provider failed while running (${conciseError(error)}); this model now runs on cpu.`);
        void this.replace().catch(() => undefined);
      }
      try {
        await this.replacing;
        return await attempt(this.current);
      } catch (cpuError) {
        this.broken = true;
        throw cpuError;
      }
    }
  }

  /** Releases the session. */
  async release(): Promise<void> {
    await this.replacing?.catch(() => undefined);
    await this.current.session.release();
  }

  /** A cpu session of the same model in place of this one; concurrent callers share it. */
  private replace(): Promise<void> {
    this.replacing ??= (async () => {
      const next = await this.host.rebuild();
      const old = this.current.session;
      this.current = next;
      this.broken = false;
      await old.release().catch(() => undefined);
    })().finally(() => (this.replacing = undefined));
    return this.replacing;
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
