/**
 * The result of one analysis, as the CLI writes it (`--json`, documented in docs/cli.md) and as the
 * webviews and the HTML report draw it. Plain JSON: row-major nested arrays of finite numbers, no NaN.
 * Bump SCHEMA_VERSION on any change that breaks a reader.
 */
import type { MapFaithfulness } from './mapFaithfulness';

/** Version of the JSON contract below. */
export const SCHEMA_VERSION = 2;

/** How a model combines the modalities: two towers compared by similarity, one joint graph, or a decoder that writes text. */
export type Architecture = 'twoTower' | 'singleStream' | 'crossAttention' | 'generative';

/** How views name an architecture. */
export function architectureLabel(architecture: Architecture): string {
  return { twoTower: 'two towers', singleStream: 'single stream', crossAttention: 'cross-attention', generative: 'generative' }[architecture];
}

/**
 * Which graph or stream an attention tensor came from: the towers of a two-tower model, the one joint graph, or a
 * cross-attention matcher's cross-attention from text tokens to image tokens (its self-attention is `vision` / `text`).
 */
export type Tower = 'vision' | 'text' | 'joint' | 'cross';

/**
 * How a two-tower model's patch alignment map is made, each through the model's own final norm and projection:
 * the last layer's patch tokens; MaskCLIP (the last layer with its attention replaced by the identity, its
 * residual and MLP kept); `values`, the last layer's values through its output projection alone; or ClearCLIP
 * (query-query attention over those values, through the output projection alone).
 */
export type AlignmentMethod = (typeof ALIGNMENT_METHODS)[number];

/** Every alignment method, the default (the model's own patch tokens) first. */
export const ALIGNMENT_METHODS = ['patchTokens', 'maskclip', 'values', 'clearclip'] as const;

/** What a result's `maps.alignment` holds: a two-tower model's patch alignment, or a cross-attention matcher's cross-attention. */
export type AlignmentSource = AlignmentMethod | 'crossAttention';

/** How views name an alignment map, before the text it is made for: `MaskCLIP alignment with "a red circle"`. */
export function alignmentMapName(source: AlignmentSource | undefined): string {
  const names: Record<AlignmentSource, string> = { patchTokens: 'Alignment with', maskclip: 'MaskCLIP alignment with', values: 'Value-path alignment with', clearclip: 'ClearCLIP alignment with', crossAttention: 'Cross-attention of' };
  return names[source ?? 'patchTokens'];
}

/** A row-major matrix of numbers. */
export type Matrix = number[][];

/** One input text after tokenisation. */
export interface TextInfo {
  text: string;
  /** Tokens as strings, for display, including special tokens, without padding. */
  tokens: string[];
  /** True when the text was longer than the model's limit and was cut. */
  truncated: boolean;
}

/** One input image, with its size before preprocessing. */
export interface ImageInfo {
  path: string;
  width: number;
  height: number;
  /**
   * The part of the image the model's input, and so its patch grid, covers: [x0, y0, x1, y1] in the image's
   * pixels. The centre crop's window (past the image's edges where the crop pads), or the whole image for a
   * processor that resizes without cropping (SigLIP, BLIP, ViLT). Absent in results that predate it.
   */
  region?: [number, number, number, number];
}

/**
 * Where image `info`'s maps lie on it: its `region` as fractions of its width and height, [x0, y0, x1, y1]; for a
 * result without one, the centre square (what CLIP's crop takes).
 */
export function gridWindow(info: ImageInfo): [number, number, number, number] {
  const { width, height, region } = info;
  return region ? [region[0] / width, region[1] / height, region[2] / width, region[3] / height] : centreSquareWindow(width, height);
}

/** The centre square of a `width` x `height` image, [x0, y0, x1, y1] as fractions of its width and height. */
export function centreSquareWindow(width: number, height: number): [number, number, number, number] {
  const side = Math.min(width, height);
  return [(width - side) / 2 / width, (height - side) / 2 / height, (width + side) / 2 / width, (height + side) / 2 / height];
}

/**
 * Where a single-stream model's tokens sit in its joint sequence: indices into the query and key axes of
 * `attention.joint`. Text slots are padded to a fixed length; patches are rows x cols, row-major.
 */
export interface TokenLayoutInfo {
  /** Length of the joint sequence. */
  tokens: number;
  /** Text slots: [textStart, textEnd). */
  textStart: number;
  textEnd: number;
  /** Image tokens: [imageStart, imageStart + imageTokens), an image CLS token included. */
  imageStart: number;
  imageTokens: number;
  /** The image CLS token, or null when the model has none. */
  imageCls: number | null;
  /** The first patch token. */
  firstPatch: number;
  /** The token the image-text matching head reads, whose rollout row is `maps.rollout`. */
  itmToken: number;
}

/** Everything `mmlens analyze` computes for a set of images and texts. */
export interface AnalysisResult {
  schemaVersion: number;
  model: {
    name: string;
    architecture: Architecture;
    /** The execution provider that actually ran (after any fallback). */
    executionProvider: string;
    /** Things the user should know: a provider fallback, unobservable attention, an assumed logit scale. */
    notices: string[];
    /** Providers the auto setting could not start (expected on a machine without a GPU): for the log, not a warning. */
    fallbacks?: string[];
    /** Single-stream models only: the token layout of the joint sequence. */
    tokenLayout?: TokenLayoutInfo;
    /** The pointing game of each map method on this model, from its folder's evaluation.json (`mmlens evaluate`). */
    mapFaithfulness?: MapFaithfulness;
  };
  images: ImageInfo[];
  texts: TextInfo[];
  /** The patch grid of the vision input. */
  grid: { rows: number; cols: number };
  /**
   * [image][text]. Two-tower: cosine similarity. Single-stream: the match log-odds of the image-text matching
   * head, logit(match) - logit(no match) (the match logit itself for a one-logit head), so itm = sigmoid(it).
   */
  similarity: Matrix;
  /**
   * [image][text]: softmax over the texts of similarity x logit scale (CLIP; single-stream models: of the
   * log-odds, scale 1); for sigmoid models (SigLIP), sigmoid(similarity x logit scale + logit bias) per pair.
   */
  probabilities: Matrix;
  /** Single-stream models: probability that the text matches the image, [image][text], each pair on its own. */
  itm?: Matrix;
  /** The multiplier on `similarity` before the softmax (or sigmoid); 1 for single-stream models. */
  logitScale: number;
  /** Sigmoid models (SigLIP): the bias added before the sigmoid; absent for softmax models. */
  logitBias?: number;
  /** Whether attention probabilities could be read from the graph (false when fused operators hide them). */
  attentionObservable: boolean;
  maps: {
    /**
     * Attention rollout from the CLS/first token to each patch, [image] -> rows x cols. Single-stream: from
     * the ITM token, averaged over the texts. Empty when not observable.
     */
    rollout: Matrix[];
    /**
     * Patch-level alignment of each text with each image, [image][text] -> rows x cols. Two-tower: cosine of
     * each patch embedding with the text embedding. Single-stream: the mean rollout row of the text's real
     * tokens (start/end tokens left out when there are others), restricted to the patches; empty when not observable.
     */
    alignment: Matrix[][];
    /**
     * Models whose vision tower pools with an attention head (SigLIP): the head's learned probe query's
     * attention over the patches, mean of its heads, [image] -> rows x cols. It is what the image embedding
     * is a weighted mean of, not a transformer layer.
     */
    pooling?: Matrix[];
    /**
     * With --flow: attention flow (Abnar & Zuidema 2020) from the CLS token (no CLS: the mean over every token's
     * flow) to each patch, [image] -> rows x cols, on the rollout's graph; the top-level `flow` says what it cost.
     */
    flow?: Matrix[];
  };
  /** Two-tower models with alignment maps: which patch embeddings `maps.alignment` uses; cross-attention matchers: `crossAttention`. */
  alignmentMethod?: AlignmentSource;
  /**
   * With --lens (two-tower models): for every vision layer, its output tokens through the model's own final norm and
   * projection; the CLS token's cosine with each text and its probabilities as the model's own, and the patch
   * tokens' alignment maps [image][text]. The last layer's are the model's own scores and patch-token maps.
   */
  lens?: { layers: { similarity: Matrix; probabilities: Matrix; alignment: Matrix[][] }[] };
  /** Milliseconds per stage. */
  timings: Record<string, number>;
  /**
   * With --attention: attention[tower][layer] = [item][head][query][key]; item is the image (vision) or the
   * text (text); for `joint`, the (image i, text j) pair i x texts + j.
   */
  attention?: Partial<Record<Tower, number[][][][][]>>;
}
