/**
 * The result of `mmlens generate` (docs/cli.md documents every field): the prompt as fed, each generated token with
 * its log-probability, its attention mass on the image per decoder layer and its map over the image tokens, and the
 * raw decoder attention on request. Plain JSON, finite numbers only.
 */
import type { Architecture } from './analysisResult';

/** Version of the JSON contract below. */
export const GENERATION_SCHEMA_VERSION = 1;

/** How heads and layers are fused into one map per token. */
export interface AttentionFusion {
  /** Over the (query) heads of a layer. */
  heads: 'mean' | 'max';
  /** The decoder layers averaged, [first, last] inclusive, 0-based. */
  layers: [number, number];
}

/** How tokens were chosen. */
export interface DecodingSettings {
  mode: 'greedy' | 'sample';
  maxNewTokens: number;
  /** Sampling only. */
  seed?: number;
  temperature?: number;
  topP?: number;
}

/** One grid of image tokens: a tile of a split image (Idefics3), its whole image resized, or LLaVA's one image. */
export interface TokenTile {
  rows: number;
  cols: number;
  /** The part of the original image the tile shows, [x0, y0, x1, y1] in its pixels. */
  box: [number, number, number, number];
  /** True for the whole image resized to one tile, shown beside the tiles. */
  global: boolean;
  /** [first, end) among the image's tokens; the tile's token (r, c) is first + r * cols + c. */
  tokens: [number, number];
}

/** Where one image's tokens sit in the prompt and which part of the image each covers. */
export interface ImageTokens {
  path: string;
  /** The original image's size. */
  width: number;
  height: number;
  /** The model input's size after preprocessing (one tile's, for a split image). */
  inputSize: { width: number; height: number };
  /** [first, last + 1) of the image's tokens in the prompt ids. */
  span: [number, number];
  /** Each image token's place in the prompt ids, in the encoder's feature order (markers may sit between them). */
  positions: number[];
  /** The token grid of the first tile: LLaVA's whole image, row-major. */
  rows: number;
  cols: number;
  /** Each token's box in the original image's pixels, [x0, y0, x1, y1], in the order of `positions`. */
  regions: [number, number, number, number][];
  tiles: TokenTile[];
}

/** Attention mass of one token's query over the three parts of the sequence, per decoder layer (head mean). */
export interface AttentionShares {
  image: number[];
  prompt: number[];
  generated: number[];
}

/** One generated token. */
export interface GeneratedToken {
  id: number;
  /** The text this token adds to the answer (decoded in context, so merged pieces read right). */
  text: string;
  /** Its log-probability under the model (temperature 1), natural log. */
  logprob: number;
  /** Its attention mass on the image tokens, per decoder layer (mean over heads); empty when attention is not observable. */
  imageShare: number[];
  /** The same mass split three ways: image, the prompt's text, the text generated before it. */
  shares?: AttentionShares;
  /** Its attention on each image's tokens with the result's fusion, [image][token] in the order of images[i].positions (row-major per tile); empty when not observable. */
  map: number[][];
  /** The most probable tokens at this step, best first. */
  top: { id: number; text: string; logprob: number }[];
  /** With `--occlusion` or `--rise`: the token's perturbation map on each image, [image][rows * cols] row-major. */
  perturbationMap?: number[][];
}

/** How the perturbation maps were made and what they cost. */
export interface PerturbationSummary {
  method: 'occlusion' | 'rise';
  /** occlusion: the log-probability's drop when the patch is hidden; rise: the probability-weighted mean of the masks. */
  score: 'logprobDrop' | 'probability';
  /** Vision encoder + decoder passes, over every image (each pass scores every token of the answer at once). */
  forwardPasses: number;
  masks?: number;
  seed?: number;
}

/** What `mmlens generate --json` writes. */
export interface GenerationResult {
  schemaVersion: number;
  /** `fallbacks`: providers the auto setting could not start, as for analyses: for the log, not a warning. */
  model: { name: string; dir: string; architecture: Architecture; family: string; executionProvider: string; notices: string[]; fallbacks?: string[] };
  /** The prompt as fed: after the chat template and the image-token expansion. */
  prompt: { text: string; ids: number[]; imageTokens: [number, number] };
  images: ImageTokens[];
  generated: GeneratedToken[];
  /** The answer: the generated tokens decoded together, special tokens left out. */
  answer: string;
  stopReason: 'endToken' | 'maxNewTokens';
  decoding: DecodingSettings;
  fusion: AttentionFusion;
  /** Whether the decoder's attention was read, and why not when it was not. */
  attentionObserved: { available: boolean; reason?: string };
  /** With `--occlusion` or `--rise`. */
  perturbation?: PerturbationSummary;
  /** With `--attention`: attention.decoder[k][layer][head][key], the last query of the pass that produced token k. */
  attention?: { decoder: number[][][][] };
  /** Milliseconds: the vision encoder, the prefill pass, each decoding step after it, and the perturbation maps. */
  timings: { visionMs: number; prefillMs: number; decodeMs: number[]; perturbationMs?: number };
}

/** What the generation report page draws: the result (without its raw attention) and its images as data: URLs. */
export interface GenerationReportData {
  result: GenerationResult;
  images: string[];
}
