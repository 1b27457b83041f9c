/**
 * The extension host's side of the inference process (inferenceProcess.ts): the same calls as
 * InferenceService, each sent to a forked Node process that owns the native code. A native crash there (a
 * signal, exit 139) or a runaway that is killed fails the calls in flight with a LensError that says so, and
 * the next call starts a new process; the extension host, and every other extension in it, lives on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { LensError } from '../../core/errors';
import { throwIfCancelled, type LongRunOptions, type ProgressCallback } from '../../core/progress';
import type { HoverPreview, PreviewSettings } from '../../hover/renderPreview';
import type { InspectResult } from '../tasks/inspect';
import type { OcclusionOverlayRequest } from '../tasks/occlusionOverlay';
import type { PageAnalysis } from '../tasks/packAttention';
import type { ProbeRequest } from '../tasks/probe';
import type { ManifestEvaluationRequest } from '../../evaluation/evaluateManifest';
import type { ManifestEvaluationResult } from '../../shared/mapEvaluation';
import type { ProbeResult } from '../../shared/probeResult';
import type { ZeroShotRequest, ZeroShotResult } from '../tasks/zeroShot';
import type { AnalyzeRequest, GenerationRequest, HeadImportanceRequest, ServiceOptions } from '../service';
import type { HeadImportanceResult } from '../../shared/headImportance';
import type { GenerateOptions } from '../tasks/generateRequest';
import type { GenerationResult } from '../../shared/generationResult';
import type { DetailedAnalysisResult } from '../../shared/attentionDetails';
import type { OcclusionReply } from '../../shared/protocol';
import type { Architecture } from '../../shared/analysisResult';
import type { ReportAttentionLevel } from '../../shared/packedAttention';
import { fromRemoteError, type FromInferenceProcess, type RemoteMethod, type ToInferenceProcess } from './remoteProtocol';

/** What a model folder is, as the model picker reports it. */
export interface ModelDescription {
  name: string;
  family: Architecture;
  /** The zero-shot templates the model uses when none are given. */
  promptTemplates: string[];
}

interface Pending {
  method: RemoteMethod;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  onProgress?: ProgressCallback;
  onImages?: GenerateOptions['onImages'];
  onToken?: GenerateOptions['onToken'];
}

/** Calls InferenceService's work in a child process; `script` is the built inferenceProcess.js. */
export class InferenceClient {
  private child: ChildProcess | undefined;
  private next = 0;
  private readonly pending = new Map<number, Pending>();

  /**
   * @param options the service's options, given to each new process
   * @param script the inference process's entry (dist/inferenceProcess.js)
   * @param onExit told when a process ends unasked, with why (for the log)
   */
  constructor(private readonly options: ServiceOptions, private readonly script: string, private readonly onExit?: (why: string) => void) {}

  /** InferenceService.analyze, in the inference process. */
  analyze(request: AnalyzeRequest, options?: LongRunOptions): Promise<DetailedAnalysisResult> {
    return this.call('analyze', [request], options);
  }

  /**
   * InferenceService.analyze for a page, in the inference process: the result comes back without its nested
   * attention, the head grid's attention packed at `level` (by size when absent), tasks/packAttention.ts.
   */
  analyzeForPage(request: AnalyzeRequest, level?: ReportAttentionLevel, options?: LongRunOptions): Promise<PageAnalysis> {
    return this.call('analyzeForPage', [request, level], options);
  }

  /** One query's rows of every layer and head ([layer][head][key]) of item `item`, from attention kept under `id`. */
  attentionRows(id: string, item: number, query: number): Promise<Float32Array> {
    return this.call('attentionRows', [id, item, query]);
  }

  /** Frees the attention kept under `id` (a panel closed); nothing when no process runs. */
  async releaseAttention(id: string): Promise<void> {
    if (this.child) await this.call('releaseAttention', [id]);
  }

  /** InferenceService.zeroShot, in the inference process. */
  zeroShot(request: ZeroShotRequest, options?: LongRunOptions): Promise<ZeroShotResult> {
    return this.call('zeroShot', [request], options);
  }

  /** InferenceService.generate, in the inference process; each token reaches `options.onToken` as it is chosen. */
  generate(request: GenerationRequest, options?: GenerateOptions): Promise<GenerationResult> {
    return this.call('generate', [request], options);
  }

  /** `mmlens evaluate --manifest`'s evaluation (src/evaluation/evaluateManifest.ts), in the inference process. */
  evaluateManifest(request: ManifestEvaluationRequest, options?: LongRunOptions): Promise<ManifestEvaluationResult> {
    return this.call('evaluateManifest', [request], options);
  }

  /** InferenceService.headImportance (`mmlens heads`), in the inference process. */
  headImportance(request: HeadImportanceRequest, options?: LongRunOptions): Promise<HeadImportanceResult> {
    return this.call('headImportance', [request], options);
  }

  /** InferenceService.probe, in the inference process. */
  probe(request: ProbeRequest, options?: LongRunOptions): Promise<ProbeResult> {
    return this.call('probe', [request], options);
  }

  /** InferenceService.inspect, in the inference process. */
  inspect(modelDir?: string): Promise<InspectResult> {
    return this.call('inspect', [modelDir]);
  }

  /** Loads a model folder (the default one when omitted) and says what it is. */
  describeModel(modelDir?: string, options?: LongRunOptions): Promise<ModelDescription> {
    return this.call('describeModel', [modelDir], options);
  }

  /** occlusionOverlay (tasks/occlusionOverlay.ts), in the inference process. */
  occlusionOverlay(request: OcclusionOverlayRequest, options?: LongRunOptions): Promise<OcclusionReply> {
    return this.call('occlusionOverlay', [request], options);
  }

  /** renderPreview (hover/renderPreview.ts), in the inference process. */
  renderPreview(path: string, caption: string | undefined, settings: PreviewSettings, signal?: AbortSignal): Promise<HoverPreview> {
    return this.call('renderPreview', [path, caption, settings], { signal });
  }

  /** imagePreviewDataUrl (images/imagePreview.ts), in the inference process. */
  imagePreview(path: string, maxSide?: number, maxPixels?: number): Promise<string> {
    return this.call('imagePreview', [path, maxSide, maxPixels]);
  }

  /** The running inference process's id (for the log), or undefined before the first call and after an exit. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the process (its sessions with it); a later call starts a new one. */
  async dispose(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.failAll(new LensError('cancelled', 'The inference process was stopped.'));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Closing the channel lets it release its sessions and exit; one that does not within 5 s is killed.
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private call<T>(method: RemoteMethod, args: unknown[], options: GenerateOptions = {}): Promise<T> {
    throwIfCancelled(options.signal);
    const child = this.start();
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      const cancel = () => this.send(child, { type: 'cancel', id });
      const settle = () => options.signal?.removeEventListener('abort', cancel);
      this.pending.set(id, {
        method,
        resolve: (value) => (settle(), resolve(value as T)),
        reject: (error) => (settle(), reject(error)),
        onProgress: options.onProgress,
        onImages: options.onImages,
        onToken: options.onToken,
      });
      options.signal?.addEventListener('abort', cancel, { once: true });
      this.send(child, { type: 'call', id, method, args });
    });
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    // ELECTRON_RUN_AS_NODE: in VS Code the extension host's executable is Electron's, which runs as plain Node so.
    const child = fork(this.script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    child.on('message', (message: FromInferenceProcess) => this.receive(message));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      this.onExit?.(`The inference process ${how}.`);
      this.failAll(undefined, how);
    });
    // A failed send (the process already gone) is reported by the exit above.
    child.on('error', () => undefined);
    this.child = child;
    this.send(child, { type: 'init', options: this.options });
    return child;
  }

  private send(child: ChildProcess, message: ToInferenceProcess): void {
    if (child.connected) child.send(message);
  }

  private receive(message: FromInferenceProcess): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.report);
      return;
    }
    if (message.type === 'images') {
      pending.onImages?.(message.images);
      return;
    }
    if (message.type === 'token') {
      pending.onToken?.(message.token, message.index);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.value);
    else pending.reject(fromRemoteError(message.error));
  }

  /** Rejects every call in flight: with `error`, or with the crash `how` describes. */
  private failAll(error: LensError | undefined, how?: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(error ?? new LensError(
        'internal',
        `The inference process ${how} while running ${pending.method}: a native crash or runaway in onnxruntime, sharp or the tokenizer on this input. VS Code and the extension are unaffected.`,
        'Try again (a new process starts); if it happens again with the same image, text or model, report it with them (Multimodal Lens log: Output > Multimodal Lens).',
      ));
    }
  }
}
