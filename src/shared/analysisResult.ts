/**
 * The result of one analysis, as the CLI writes it (`--json`, documented in docs/cli.md) and as the
 * webviews and the HTML report draw it. Plain JSON: row-major nested arrays of finite numbers, no NaN.
 * Bump SCHEMA_VERSION on any change that breaks a reader.
 */

/** Version of the JSON contract below. */
export const SCHEMA_VERSION = 1;

/** How a model combines the modalities: two towers compared by similarity, or one joint graph. */
export type Architecture = 'twoTower' | 'singleStream';

/** Which graph an attention tensor came from: the towers of a two-tower model, or the one joint graph. */
export type Tower = 'vision' | 'text' | 'joint';

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
  };
  images: ImageInfo[];
  texts: TextInfo[];
  /** The patch grid of the vision input. */
  grid: { rows: number; cols: number };
  /** Cosine similarity, [image][text]. */
  similarity: Matrix;
  /**
   * [image][text]: softmax over the texts of similarity x logit scale (CLIP); for sigmoid models (SigLIP),
   * sigmoid(similarity x logit scale + logit bias) for each pair on its own.
   */
  probabilities: Matrix;
  /** Single-stream models: probability that the text matches the image, [image][text]. */
  itm?: Matrix;
  logitScale: number;
  /** Whether attention probabilities could be read from the graph (false when fused operators hide them). */
  attentionObservable: boolean;
  maps: {
    /** Attention rollout from the CLS/first token to each patch, [image] -> rows x cols. Empty when not observable. */
    rollout: Matrix[];
    /** Patch-level alignment of each text with each image, [image][text] -> rows x cols. */
    alignment: Matrix[][];
  };
  /** Milliseconds per stage. */
  timings: Record<string, number>;
  /** With --attention: attention[tower][layer] = [item][head][query][key]. */
  attention?: Partial<Record<Tower, number[][][][][]>>;
}
