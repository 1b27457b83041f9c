/**
 * The result of `mmlens probe`: fusion and retrieval probes over a manifest of image-caption pairs, as the CLI
 * writes it (`--json`, documented in docs/cli.md) and as the probe report draws it. Plain JSON: finite
 * numbers (null where a value is undefined), row-major nested arrays.
 */
import type { Architecture, Matrix } from './analysisResult';
import type { ProbeMmShap } from './attributionResult';

/** Version of the probe JSON contract. */
export const PROBE_SCHEMA_VERSION = 1;

/** The task metric of the fusion probes: retrieval recall@1 (image to text), or accuracy / ROC AUC on labelled pairs. */
export type ProbeMetric = 'recall@1' | 'accuracy' | 'auc';

/** The manifest formats the probe reads. */
export type ManifestFormat = 'jsonl' | 'csv' | 'coco';

/** One pair of the set, in manifest order: the image as read (a resolved path), the caption and its label. */
export interface ProbePair {
  image: string;
  caption: string;
  /** Labelled manifests only: 1 the caption matches the image, 0 it does not. */
  label?: 0 | 1;
}

/** Recall at 1, 5 and 10 of one retrieval direction. */
export interface RecallSet {
  r1: number;
  r5: number;
  r10: number;
}

/** The score of each pair with one modality replaced, and how much it fell. */
export interface AblationSide {
  /** Per pair: the score with the modality replaced. */
  scores: number[];
  /** Per pair: the pair's own score minus `scores`. */
  drop: number[];
  /** Mean of `drop` over the matching pairs (every pair when the manifest has no labels). */
  meanDrop: number;
}

/** The three cross-modal attention measures of one head. */
export interface ShareValues {
  textToImage: number;
  imageToText: number;
  within: number;
}

/** One head's cross-modal attention share, averaged over the matching pairs, with its z-scores across all heads. */
export interface ShareCell extends ShareValues {
  z: ShareValues;
}

/** Cross- and intra-modal attention measures by VL-InterpreT's names (analysis/attention/vlInterpret.ts). */
export type VlInterpretMeasure = 'img2txt' | 'txt2img' | 'img2img' | 'img2imgWithoutSelf' | 'txt2txt' | 'crossmodal' | 'intramodal';

/** Per measure as VL-InterpreT computes it: z [layer][head] (over the layers, per head) and each layer's mean z. */
export type VlInterpretStats = Record<VlInterpretMeasure, { z: number[][]; layerMean: number[] }>;

/** Everything `mmlens probe` computes. */
export interface ProbeResult {
  schemaVersion: number;
  kind: 'probe';
  model: { name: string; architecture: Architecture; executionProvider: string; notices: string[]; fallbacks?: string[] };
  manifest: {
    path: string;
    format: ManifestFormat;
    /** The pairs used. */
    pairs: number;
    limit: number;
    /** True when the manifest holds more rows than `limit`, which were left out. */
    limited: boolean;
    labelled: boolean;
    /** Rows skipped because their image file does not exist; the first few as "where: path". */
    missingImages: { count: number; examples: string[] };
    /** Rows skipped because their image is outside the manifest's folder (or --image-root), by real path; the first few as "where: path". Absent before issue 19. */
    outsideImages?: { count: number; examples: string[] };
    /** Rows skipped because their file is not a usable image (not an image, an SVG, truncated, empty, over the pixel limit); the first few as "where: why". Absent before issue 19. */
    unreadableImages?: { count: number; examples: string[] };
  };
  pairs: ProbePair[];
  /** What `scores` holds: cosine similarity (two-tower) or the ITM match log-odds (single-stream). */
  scoreKind: 'cosine' | 'itmLogOdds';
  /** scores[i][j]: the image of pair i with the caption of pair j; present when there are at most 500 pairs. */
  scores?: Matrix;
  retrieval: {
    imageToText: RecallSet;
    textToImage: RecallSet;
    /** How many distinct images and distinct captions have a correct answer and so count as queries. */
    queries: { imageToText: number; textToImage: number };
  };
  emap: {
    metric: ProbeMetric;
    full: number;
    additive: number;
    /** Accuracy only: the threshold chosen on the full model's scores and applied to both. */
    threshold?: number;
    /** Labelled manifests with both labels, unless the metric is already AUC: ROC AUC of both. */
    auc?: { full: number; additive: number };
    /**
     * recall@1 (no labels) only: why `additive` is fixed by construction (1/N for any model) and says nothing
     * about interaction; the views and the CLI summary show it beside the figure.
     */
    notice?: string;
  };
  perceptualScore: {
    metric: ProbeMetric;
    full: number;
    /** full minus the mean metric with the images (or captions) permuted across the set. */
    image: number;
    text: number;
    /** The metric of each permuted run. */
    permuted: { image: number[]; text: number[] };
    seed: number;
  };
  ablation: {
    /** Per pair: its own score, image i with caption i. */
    matched: number[];
    /** The caption replaced by the empty text (only the tokenizer's start and end tokens). */
    emptyText: AblationSide;
    /** The image replaced by the mean of the set's preprocessed pixel tensors. */
    meanImage: AblationSide;
  };
  /** Two-tower models: the geometry of the joint embedding space. */
  geometry?: {
    modalityGap: number;
    alignment: number;
    /** null when there are fewer than two distinct images (captions). */
    uniformity: { image: number | null; text: number | null };
    pca: { explainedVarianceRatio: [number, number]; images: [number, number][]; texts: [number, number][] };
  };
  /** Single-stream models with observable attention: [layer][head], over the matching pairs. */
  crossModalAttention?: ShareCell[][];
  /** The same pairs' attention as VL-InterpreT computes it: per-cell block means, z-scored over layers per head. */
  vlInterpret?: VlInterpretStats;
  /** With --mm-shap N: MM-SHAP's textual share (T-SHAP) of the first N pairs, its mean and spread. */
  mmShap?: ProbeMmShap;
  timings: Record<string, number>;
}

/** What the probe report page needs: the result only (no images; a set can hold hundreds). */
export interface ProbeReportData {
  result: ProbeResult;
  /** A standalone report's link to docs/methods.md (a file: URL where mmlens is installed); a panel asks its host instead. */
  methodsDoc?: string;
}
