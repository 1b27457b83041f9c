/**
 * The result of head ablation (`mmlens heads`, docs/methods.md): how much one image-text score drops when one
 * attention head's output, or every head of one layer, is masked out as in Michel, Levy & Neubig 2019.
 */
import type { Architecture } from './analysisResult';

/**
 * Which attention layers are ablated: a two-tower model's vision or text tower, a single-stream model's joint
 * layers (`joint`), a cross-attention matcher's image encoder (`vision`), text self-attention (`text`) or its
 * cross-attention from the text to the image tokens (`cross`).
 */
export type HeadStream = 'vision' | 'text' | 'joint' | 'cross';

/** The score that ablation changes: the cosine of the image and text embeddings, or the matching probability. */
export type HeadScoreKind = 'cosine' | 'itm';

/** Scores and importances of every head of the ablated layers for one image and one text. */
export interface HeadImportanceResult {
  schemaVersion: 1;
  model: { name: string; architecture: Architecture; executionProvider: string; notices: string[]; fallbacks?: string[] };
  image: string;
  text: string;
  stream: HeadStream;
  scoreKind: HeadScoreKind;
  /** How a head is removed, in words (its output zeroed before the output projection). */
  method: string;
  layers: number;
  heads: number;
  /** The model's own score (the cosine, or the probability that the text matches), from its unmodified session. */
  score: number;
  /** |score with every head kept (the all-ones mask) - score|: the masked graph's gap to the model. */
  allOnesGap: number;
  /** Score with head h of layer l masked, [layer][head]. */
  ablated: number[][];
  /** score - ablated: how much the score drops without that head, [layer][head] (negative: it rises). */
  importance: number[][];
  /** Score with every head of layer l masked (only the output projection's bias is left of that attention block). */
  layerAblated: number[];
  /** score - layerAblated, per layer. */
  layerImportance: number[];
  /** Forward passes through the masked graph (all-ones, each head, each layer) and their time. */
  cost: { forwardPasses: number; totalMs: number; msPerPass: number };
}

/** What `mmlens heads --html` puts in its page. */
export interface HeadsReportData {
  result: HeadImportanceResult;
}
