/** What a generative model is asked: images, a prompt, how to decode, and the streaming and cancellation hooks. */
import type { AttentionFusion, GeneratedToken, ImageTokens } from '../../shared/generationResult';
import type { LongRunOptions } from '../../core/progress';
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
  /** Also map each token by hiding image regions (teacher-forced occlusion or RISE). */
  perturbation?: TokenPerturbationRequest;
}

/** Which perturbation map to make for every generated token. */
export interface TokenPerturbationRequest {
  method: 'occlusion' | 'rise';
  /** RISE only: how many random masks (default 500) and their seed (default 0). */
  masks?: number;
  seed?: number;
}

/** Streaming, cancellation, and progress of the perturbation maps. */
export interface GenerateOptions extends LongRunOptions {
  /** Called once before the first token, with where each image's tokens are and what part of the image each covers. */
  onImages?: (images: ImageTokens[]) => void;
  /** Called with each token as it is chosen. */
  onToken?: (token: GeneratedToken, index: number) => void;
}
