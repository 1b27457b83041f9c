/**
 * What a report page or a webview needs to draw one analysis: the result and its images. Shared by the HTML
 * report builder (Node) and the webview entry (browser), so it imports nothing from either side.
 */
import type { AnalysisResult } from './analysisResult';
import type { Box } from './mapEvaluation';
import type { PackedAttention } from './packedAttention';

/**
 * The analysis and, in the same order as result.images, the images as data: URLs. The result's own `attention`
 * (nested numbers) is left out: what the head grid draws travels packed in `attention`.
 */
export interface ReportData {
  result: AnalysisResult;
  images: string[];
  /** The head grid's attention, packed; absent when the page holds none. */
  attention?: PackedAttention;
  /** The overlay each image opens on (an overlay choice such as "alignment-0"); the first map when absent. */
  overlay?: string;
  /** Per image, boxes in its pixels to outline over its maps: where the object is (a worst case of a map evaluation). */
  boxes?: Box[][];
}

/** The id of the inline JSON element that carries ReportData in a standalone report. */
export const DATA_ELEMENT_ID = 'mmlens-data';
