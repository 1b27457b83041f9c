/**
 * The inference process: the extension host forks it (inferenceClient.ts) and every piece of work that runs
 * native code on the user's files happens here (onnxruntime sessions, sharp's decoders, the tokenizers), so a
 * native crash or a runaway ends this process and not the extension host. It holds one InferenceService,
 * answers calls in parallel, reports progress and honours cancellation per call.
 */
import { LensError } from '../../core/errors';
import { evaluateManifest, type ManifestEvaluationRequest } from '../../evaluation/evaluateManifest';
import { renderPreview, type PreviewSettings } from '../../hover/renderPreview';
import { imagePreviewDataUrl } from '../images/imagePreview';
import { InferenceService, type AnalyzeRequest, type GenerationRequest, type HeadImportanceRequest } from '../service';
import type { GenerateOptions } from '../tasks/generateRequest';
import type { ProbeRequest } from '../tasks/probe';
import { modelTemplates, type ZeroShotRequest } from '../tasks/zeroShot';
import { occlusionOverlay, type OcclusionOverlayRequest } from '../tasks/occlusionOverlay';
import { pageAnalysis } from '../tasks/packAttention';
import type { ReportAttentionLevel } from '../../shared/packedAttention';
import type { LongRunOptions } from '../../core/progress';
import type { LayerAttention } from '../runtime/tappedGraph';
import { HeldAttention } from './heldAttention';
import { REMOTE_METHODS, toRemoteError, type FromInferenceProcess, type RemoteMethod, type ToInferenceProcess } from './remoteProtocol';

type Handler = (service: InferenceService, args: unknown[], options: LongRunOptions & Pick<GenerateOptions, 'onImages' | 'onToken'>) => Promise<unknown>;

/** Attention kept for open panels (heldAttention.ts). */
const heldAttention = new HeldAttention();

/** Each method's work; the arguments are the client's, checked by its types on the host side. */
const handlers: Record<RemoteMethod, Handler> = {
  analyze: (s, [request], o) => s.analyze(request as AnalyzeRequest, o),
  analyzeForPage: async (s, [request, level], o) => {
    let kept: string | undefined;
    const keep = (layers: LayerAttention[], items: number) => (kept = heldAttention.keep(layers, items));
    const result = await s.analyze({ ...(request as AnalyzeRequest), pageAttention: { level: level as ReportAttentionLevel | undefined, keep } }, o);
    return { ...pageAnalysis(result), ...(kept !== undefined ? { heldAttention: kept } : {}) };
  },
  attentionRows: async (_s, [id, item, query]) => heldAttention.rows(id as string, item as number, query as number),
  releaseAttention: async (_s, [id]) => heldAttention.release(id as string),
  zeroShot: (s, [request], o) => s.zeroShot(request as ZeroShotRequest, o),
  probe: (s, [request], o) => s.probe(request as ProbeRequest, o),
  headImportance: (s, [request], o) => s.headImportance(request as HeadImportanceRequest, o),
  inspect: (s, [dir]) => s.inspect(dir as string | undefined),
  describeModel: async (s, [dir]) => {
    const model = await s.model(dir as string | undefined);
    return { name: model.folder.name, family: model.family, promptTemplates: modelTemplates(model.folder.config) };
  },
  occlusionOverlay: (s, [request], o) => occlusionOverlay(s, request as OcclusionOverlayRequest, o),
  renderPreview: (s, [path, caption, settings], o) => renderPreview(s, path as string, caption as string | undefined, settings as PreviewSettings, o.signal),
  imagePreview: (_s, [path, maxSide, maxPixels]) => imagePreviewDataUrl(path as string, maxSide as number | undefined, maxPixels as number | undefined),
  generate: (s, [request], o) => s.generate(request as GenerationRequest, o),
  evaluateManifest: (s, [request], o) => evaluateManifest(s, { ...(request as ManifestEvaluationRequest), signal: o.signal, onProgress: o.onProgress }),
};

let service: InferenceService | undefined;
const running = new Map<number, AbortController>();

function send(message: FromInferenceProcess): void {
  process.send?.(message);
}

async function call(id: number, method: RemoteMethod, args: unknown[]): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    if (!service) throw new LensError('internal', 'The inference process was called before it was given its options.');
    if (!REMOTE_METHODS.includes(method)) throw new LensError('internal', `The inference process has no method "${String(method)}".`);
    const value = await handlers[method](service, args, {
      signal: controller.signal,
      onProgress: (report) => send({ type: 'progress', id, report }),
      onImages: (images) => send({ type: 'images', id, images }),
      onToken: (token, index) => send({ type: 'token', id, index, token }),
    });
    send({ type: 'result', id, value });
  } catch (error) {
    send({ type: 'error', id, error: toRemoteError(error) });
  } finally {
    running.delete(id);
  }
}

process.on('message', (message: ToInferenceProcess) => {
  if (message.type === 'init') service = new InferenceService(message.options);
  else if (message.type === 'call') void call(message.id, message.method, message.args);
  else if (message.type === 'cancel') running.get(message.id)?.abort();
});
// The host went away (closed the channel, or died): nothing is left to answer.
process.on('disconnect', () => {
  void (service?.dispose() ?? Promise.resolve()).finally(() => process.exit(0));
});
