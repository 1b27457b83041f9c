/**
 * The messages between the extension host and the inference process (inferenceProcess.ts), sent over Node's
 * IPC channel with `serialization: 'advanced'` (structured clone: typed arrays arrive as typed arrays), and the
 * methods that process serves. Errors travel as their fields and are rebuilt as LensErrors on the host side.
 */
import { LensError, type LensErrorKind } from '../../core/errors';
import type { ProgressReport } from '../../core/progress';
import type { ServiceOptions } from '../service';
import type { GeneratedToken, ImageTokens } from '../../shared/generationResult';

/** What the inference process serves; each takes its arguments as an array. */
export const REMOTE_METHODS = ['analyze', 'analyzeForPage', 'attentionRows', 'releaseAttention', 'zeroShot', 'probe', 'inspect', 'describeModel', 'occlusionOverlay', 'renderPreview', 'imagePreview', 'generate', 'evaluateManifest', 'headImportance'] as const;

/** One method of the inference process. */
export type RemoteMethod = (typeof REMOTE_METHODS)[number];

/** Host to process. */
export type ToInferenceProcess =
  | { type: 'init'; options: ServiceOptions }
  | { type: 'call'; id: number; method: RemoteMethod; args: unknown[] }
  | { type: 'cancel'; id: number };

/** An error as it crosses the process boundary. */
export interface RemoteError {
  kind: LensErrorKind;
  /** The message without the fix (LensError's own `message` holds both). */
  message: string;
  fix?: string;
}

/** Process to host. */
export type FromInferenceProcess =
  | { type: 'progress'; id: number; report: ProgressReport }
  /** Where the images' tokens are, before the first token (generate only). */
  | { type: 'images'; id: number; images: ImageTokens[] }
  /** A generated token, as soon as it is chosen (generate only). */
  | { type: 'token'; id: number; index: number; token: GeneratedToken }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: RemoteError };

/** An error thrown in the process, as fields: a LensError keeps its kind and fix, anything else is internal. */
export function toRemoteError(error: unknown): RemoteError {
  if (error instanceof LensError) {
    const message = error.fix && error.message.endsWith(` ${error.fix}`) ? error.message.slice(0, -error.fix.length - 1) : error.message;
    return { kind: error.kind, message, fix: error.fix };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'internal', message: `internal error in the inference process: ${text}` };
}

/** The LensError a RemoteError stands for. */
export function fromRemoteError(error: RemoteError): LensError {
  return new LensError(error.kind, error.message, error.fix);
}
