/**
 * Entry of the standalone generation report (bundled as an IIFE and inlined by src/cli/htmlReport.ts): reads the
 * generation result the report builder put in the page and draws it. Its styles add to media/report.css.
 */
import './generation.css';
import type { GenerationReportData } from '../src/shared/generationResult';
import { DATA_ELEMENT_ID } from '../src/shared/reportData';
import { renderGeneration } from './generationView';

const data = document.getElementById(DATA_ELEMENT_ID);
const app = document.getElementById('app');
if (data && app) {
  renderGeneration(app, JSON.parse(data.textContent ?? '{}') as GenerationReportData);
} else {
  document.body.textContent = 'This report is damaged: its data or #app element is missing.';
}
