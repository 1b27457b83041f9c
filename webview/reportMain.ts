/**
 * Entry of the standalone HTML report (bundled as an IIFE and inlined by src/cli/htmlReport.ts): reads the
 * data that the report builder put in the page and draws it.
 */
import { DATA_ELEMENT_ID, type ReportData } from '../src/shared/reportData';
import { renderAnalysis } from './analysisView';

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  const { result, images } = JSON.parse(data.textContent ?? '{}') as ReportData;
  renderAnalysis(app, result, images);
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}
