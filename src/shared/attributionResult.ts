/**
 * The text-side attributions of one image-text pair, as `mmlens analyze --text-occlusion / --mm-shap` writes them
 * and `mmlens probe --mm-shap` summarises them (docs/cli.md, docs/methods.md). Plain JSON.
 */

/** The score a pair attribution explains. */
export type PairScoreName = 'cosine similarity' | 'ITM match probability';

/** One text token of the pair: where it is in the model's token ids, what it shows as, its id. */
export interface AttributedToken {
  index: number;
  token: string;
  id: number;
  value: number;
}

/** Text-token occlusion of one pair: each token (but the start and end tokens) hidden in turn. */
export interface TokenOcclusionReport {
  image: string;
  text: string;
  score: PairScoreName;
  /** Score of the untouched pair. */
  baseline: number;
  /** Per hideable token, `value` = baseline minus the score with that token hidden. */
  tokens: AttributedToken[];
  /** The id a hidden token became. */
  maskId: number;
  forwardPasses: number;
}

/** How MM-SHAP ran; the authors' setting of each is in docs/methods.md. */
export interface MmShapSettings {
  /** Side of the square grid of image patches. */
  grid: number;
  /** 'authors': ceil(sqrt(text tokens)), start and end counted; 'given': --shap-grid. */
  gridRule: 'authors' | 'given';
  /** What hidden pixels become: 0 after normalisation (the mean colour, as the authors) or mid-grey. */
  imageFill: 'mean' | 'gray';
  maskId: number;
  /** shap's max_evals budget and the antithetic permutations it bought. */
  evaluations: number;
  permutations: number;
  seed: number;
}

/** MM-SHAP of one pair: sampled Shapley values of its text tokens and image patches, and each modality's share. */
export interface MmShapReport {
  image: string;
  text: string;
  score: PairScoreName;
  /** Σ|φ| of the text tokens over Σ|φ| of all features; vShap = 1 - tShap. */
  tShap: number;
  vShap: number;
  /** The score with every feature present (the pair itself) and with every feature hidden. */
  full: number;
  empty: number;
  /** Shapley value of each hideable token. */
  tokens: AttributedToken[];
  /** Shapley value of each image patch, grid x grid, row-major. */
  patches: number[];
  settings: MmShapSettings;
  /** Where this run departs from the authors' setting, one sentence each (empty when it does not). */
  departures: string[];
  forwardPasses: number;
}

/** MM-SHAP over a probe's pairs: T-SHAP per pair, its mean and spread. */
export interface ProbeMmShap {
  score: PairScoreName;
  /** Per pair probed (the first `pairs` pairs of the set, in order): T-SHAP. */
  tShap: number[];
  pairs: number;
  /** Mean and population standard deviation of T-SHAP over the pairs (the authors' mean +/- np.std). */
  mean: number;
  std: number;
  /** Labelled manifests: the same over the matching and the non-matching pairs (the authors' captions and foils). */
  byLabel?: { matching: { mean: number | null; std: number | null }; nonMatching: { mean: number | null; std: number | null } };
  /** As asked: `grid` null is the authors' rule per pair, `evaluations` null their 10 permutations per pair. */
  settings: { grid: number | null; imageFill: 'mean' | 'gray'; maskId: number; evaluations: number | null; seed: number };
  departures: string[];
  forwardPasses: number;
}
