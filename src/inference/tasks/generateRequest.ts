/** What a generative model is asked: images, a prompt, how to decode, and the streaming and cancellation hooks. */
import type { AttentionFusion, GeneratedToken } from '../../shared/generationResult';
import type { PreprocessedImage } from '../images/preprocess';

/** What to generate from. */
export interface GenerateRequest {
  images: { path: string; image: PreprocessedImage }[];
  prompt: string;
  /** Default 32. */
  maxNewTokens?: number;
  /** Sampling instead of greedy decoding. */
  sampling?: { seed: number; temperature: number; topP: number };
  /** Keep the raw decoder attention in the result. */
  includeAttention?: boolean;
  /** Head and layer fusion of the maps; default the mean over heads and all layers. */
  fusion?: Partial<AttentionFusion>;
}

/** Streaming and cancellation. */
export interface GenerateOptions {
  /** Called with each token as it is chosen. */
  onToken?: (token: GeneratedToken, index: number) => void;
  /** Stops within one decoding step. */
  signal?: AbortSignal;
}
