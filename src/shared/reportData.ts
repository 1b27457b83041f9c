/**
 * What a report page or a webview needs to draw one analysis: the result and its images. Shared by the HTML
 * report builder (Node) and the webview entry (browser), so it imports nothing from either side.
 */
import type { AnalysisResult } from './analysisResult';

/** The analysis and, in the same order as result.images, the images as data: URLs. */
export interface ReportData {
  result: AnalysisResult;
  images: string[];
  /** The overlay each image opens on (an overlay choice such as "alignment-0"); the first map when absent. */
  overlay?: string;
}

/** The id of the inline JSON element that carries ReportData in a standalone report. */
export const DATA_ELEMENT_ID = 'mmlens-data';
