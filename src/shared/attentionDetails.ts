/**
 * Optional parts of an analysis result about attention itself (docs/cli.md): per-head statistics, text
 * attention, the rollout settings the maps were made with and the attention flow's cost. Kept apart from
 * analysisResult.ts so the base contract stays small; `DetailedAnalysisResult` is what the service returns.
 */
import type { AnalysisResult, Matrix, Tower } from './analysisResult';
import type { PackedAttention } from './packedAttention';

/** How attention rollout was computed: head fusion, first layer in the product, residual identity added, discard ratio. */
export interface RolloutSettings {
  fusion: 'mean' | 'max' | 'min';
  startLayer: number;
  residual: boolean;
  /** The fraction of each layer's smallest fused entries set to 0 first (vit-explain's discard_ratio); 0 keeps all. */
  discardRatio: number;
}

/** The size and time of one image's attention flow (docs/methods.md, "Attention flow"). */
export interface FlowCost {
  /** Nodes and edges (zero capacities left out) of the graph each max-flow runs on. */
  nodes: number;
  edges: number;
  /** Max-flows solved: one per input token, times the output tokens (1 from the CLS token, T without one). */
  maxFlows: number;
  milliseconds: number;
}

/** How `maps.flow` was computed: its output token and each image's cost; the graph is the rollout's (`rollout`). */
export interface FlowDetails {
  /** 'cls': the flow into the CLS token after the last layer; 'meanOfTokens': the mean over every token's flow. */
  from: 'cls' | 'meanOfTokens';
  perImage: FlowCost[];
}

/** Statistics of one attention head of one item (docs/methods.md, "Head statistics"). */
export interface HeadStat {
  /** Mean over the queries of −Σ p ln p, in nats. */
  entropy: number;
  /** `entropy` / ln(tokens): 1 is uniform attention. */
  normalizedEntropy: number;
  /** Mean attention distance between patches, in patch units (text tower: in tokens). */
  meanDistance: number;
  /** Mean attention on the CLS token (no CLS: the first token; joint: the ITM token). */
  clsShare: number;
  /** Mean attention a token pays to itself. */
  diagonalShare: number;
}

/** Attention among one text's real tokens in one layer of a text tower, heads averaged. */
export interface TextSelfAttention {
  /** n x n, queries are rows; 0 where `masked`. */
  values: Matrix;
  /** True where the query cannot see the key (a causal mask): not a zero weight but no weight at all. */
  masked: boolean[][];
  /** True when the tower masks future tokens. */
  causal: boolean;
  /** Per query, the attention it put on padding keys (left out of `values`); 0 when padding is masked. */
  paddingMass: number[];
}

/** Attention details of one text. */
export interface TextAttention {
  /** The layer read (the last), heads averaged. */
  layer: number;
  /** The number of real tokens, n (the length of `texts[j].tokens`). */
  tokens: number;
  /** Two-tower models: attention among the text's tokens in the text tower. */
  self?: TextSelfAttention;
  /** Single-stream models: [image][token] -> rows x cols, each text token's attention on the patches. */
  toImage?: Matrix[][];
  /** Single-stream models: [image][token], each text token's total attention on the image tokens (image CLS included). */
  imageMass?: number[][];
}

/** The optional attention fields of an analysis result. */
export interface AttentionDetails {
  /** With --head-stats: headStats[tower][item][layer][head]; item as in `attention` (image, text, or pair i x texts + j). */
  headStats?: Partial<Record<Tower, HeadStat[][][]>>;
  /** With --text-attention: one entry per text. */
  textAttention?: TextAttention[];
  /** How maps.rollout (and single-stream maps.alignment) were computed; absent when attention is not observable. */
  rollout?: RolloutSettings;
  /** With --flow, where maps.flow was computed: its output token and cost. */
  flow?: FlowDetails;
  /**
   * Only when the request was for a page (a panel or an HTML report): the head grid's attention, packed. Not part
   * of the JSON contract: the CLI leaves it out of `--json`.
   */
  pageAttention?: PackedAttention;
}

/** An analysis result with its optional attention details. */
export type DetailedAnalysisResult = AnalysisResult & AttentionDetails;
